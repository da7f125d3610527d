import { ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from 'nats';
import { readFileSync } from 'node:fs';
import type { AppConfig } from '../config';
import { NATS_RECONNECT } from '../service/backoff';

export type NatsSettings = Pick<
  AppConfig,
  | 'NATS_SUBJECT_PREFIX'
  | 'NATS_CREDS_FILE'
  | 'NATS_NKEY_SEED_FILE'
  | 'NATS_USER'
  | 'NATS_PASSWORD'
  | 'NATS_INBOX_PREFIX'
  | 'NATS_TLS_CA_FILE'
  | 'NATS_TLS_CERT_FILE'
  | 'NATS_TLS_KEY_FILE'
>;

/**
 * The inbox prefix a NATS user's replies arrive under. Each generated user may subscribe only to its
 * own (`_INBOX.<subject prefix><user>.>`), so no process can read the replies another one asked for.
 */
export function natsInboxPrefix(subjectPrefix: string, user: string | undefined): string {
  return user ? `_INBOX.${subjectPrefix}${user}` : '_INBOX';
}

/**
 * The options of every NATS connection a process opens (RPC client, RPC server, JetStream): one
 * server list, one authentication (creds file, NKEY seed or user and password; config.ts allows one),
 * TLS when a CA or client certificate is set, and the process's own inbox prefix.
 */
export function natsConnectionOptions(servers: string, config: Partial<NatsSettings>, name: string): ConnectionOptions {
  const options: ConnectionOptions = {
    servers,
    name,
    ...NATS_RECONNECT,
    inboxPrefix: config.NATS_INBOX_PREFIX ?? natsInboxPrefix(config.NATS_SUBJECT_PREFIX ?? '', config.NATS_USER),
  };
  if (config.NATS_CREDS_FILE) {
    const file = config.NATS_CREDS_FILE;
    options.authenticator = credsAuthenticator(() => readFileSync(file));
  } else if (config.NATS_NKEY_SEED_FILE) {
    const file = config.NATS_NKEY_SEED_FILE;
    options.authenticator = nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(file, 'utf8').trim()));
  } else if (config.NATS_USER) {
    options.user = config.NATS_USER;
    options.pass = config.NATS_PASSWORD;
  }
  if (config.NATS_TLS_CA_FILE || config.NATS_TLS_CERT_FILE) {
    options.tls = {
      ...(config.NATS_TLS_CA_FILE ? { caFile: config.NATS_TLS_CA_FILE } : {}),
      ...(config.NATS_TLS_CERT_FILE ? { certFile: config.NATS_TLS_CERT_FILE, keyFile: config.NATS_TLS_KEY_FILE } : {}),
    };
  }
  return options;
}

import {
  BUS_PROCESSES,
  BusProcess,
  calledPatterns,
  consumersOf,
  isService,
  producedSubjects,
  servedPatterns,
  WATCHED_EVENTS,
} from '@org-mgmt/contracts';
import { consumerNameFor, streamNameFor } from '../events/jetstream-bus';
import { natsInboxPrefix } from './nats-connection';

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** A server may answer the requests it received (once each), whatever their reply subject. */
  allowResponses: boolean;
}

/**
 * What one process's NATS user may publish and subscribe to, from contracts' bus-access
 * declarations: its request patterns (sent and served), its event subjects, its own JetStream API
 * calls (the one stream, its own durables and their acks) and its own reply inbox.
 */
export function natsPermissions(process: BusProcess, subjectPrefix: string): NatsPermissions {
  const p = (subject: string) => subjectPrefix + subject;
  const stream = streamNameFor(subjectPrefix);
  const consumers = consumersOf(process).map((c) => ({
    name: consumerNameFor(c.durable, c.event.subject),
    filter: p(c.event.subject),
  }));
  const served = servedPatterns(process);
  return {
    publish: [
      ...calledPatterns(process).map(p),
      ...producedSubjects(process).map(p),
      '$JS.API.INFO',
      // Only the services create and configure the stream; the gateway and the teardown worker read its info.
      ...(isService(process) ? ['INFO', 'CREATE', 'UPDATE'] : ['INFO']).map(
        (verb) => `$JS.API.STREAM.${verb}.${stream}`,
      ),
      ...consumers.flatMap(({ name, filter }) => [
        `$JS.API.CONSUMER.CREATE.${stream}.${name}.${filter}`,
        `$JS.API.CONSUMER.INFO.${stream}.${name}`,
        `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`,
        `$JS.ACK.${stream}.${name}.>`,
      ]),
    ],
    subscribe: [
      ...served.map(p),
      ...(WATCHED_EVENTS[process] ?? []).map((e) => p(e.subject)),
      `${natsInboxPrefix(subjectPrefix, process)}.>`,
    ],
    allowResponses: served.length > 0,
  };
}

/** How the config names a user's password: a variable of the server's environment, or the password itself (dev, tests). */
export type PasswordSource = { env: string } | { literal: string };

export interface NatsServerConfigOptions {
  subjectPrefix: string;
  password: (process: BusProcess) => PasswordSource;
  /** A user allowed everything (tests: stream clean-up); never in a shipped config. */
  admin?: { user: string; password: string };
}

export interface NatsUserEntry {
  user: string;
  /** `$NAME` for a variable of the server's environment, else the password. */
  password: string;
  permissions?: { publish: { allow: string[] }; subscribe: { allow: string[] }; allow_responses?: boolean };
}

/** The environment variable holding a process's NATS password, e.g. NATS_PASSWORD_K8S_TEARDOWN. */
export function natsPasswordVariable(process: BusProcess): string {
  return `NATS_PASSWORD_${process.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** One user per process, each with its own permissions: the users of a nats-server `authorization` block, as data. */
export function natsUsers(options: NatsServerConfigOptions): NatsUserEntry[] {
  const users = BUS_PROCESSES.map((process): NatsUserEntry => {
    const source = options.password(process);
    const { publish, subscribe, allowResponses } = natsPermissions(process, options.subjectPrefix);
    return {
      user: process,
      password: 'env' in source ? `$${source.env}` : literal(source.literal),
      permissions: {
        publish: { allow: publish },
        subscribe: { allow: subscribe },
        ...(allowResponses ? { allow_responses: true } : {}),
      },
    };
  });
  if (options.admin) users.push({ user: options.admin.user, password: literal(options.admin.password) });
  return users;
}

/**
 * The `authorization` block of a nats-server configuration (its format reads JSON); a password
 * from the environment is written as the bare variable reference the format expects.
 */
export function natsAuthorizationConfig(options: NatsServerConfigOptions): string {
  const json = JSON.stringify({ users: natsUsers(options) }, null, 2);
  return `authorization ${json.replace(/"password": "\$(\w+)"/g, '"password": $$$1')}\n`;
}

function literal(password: string): string {
  if (password.startsWith('$'))
    throw new Error('a literal NATS password must not start with $ (it would read as a variable)');
  return password;
}

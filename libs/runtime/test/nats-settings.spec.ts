import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nanos, StorageType } from 'nats';
import { ConfigError, createLogger, JetStreamEventBus, loadConfig, natsConnectionOptions, streamNameFor } from '../src';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const dir = mkdtempSync(join(tmpdir(), 'om-nats-settings-'));
const file = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, 'x');
  return path;
};

describe('NATS connection settings', () => {
  it.each([
    [{ NATS_USER: 'orgs' }, 'NATS_PASSWORD'],
    [{ NATS_PASSWORD: 'secret' }, 'NATS_USER'],
    [{ NATS_USER: 'orgs', NATS_PASSWORD: 'p', NATS_CREDS_FILE: file('orgs.creds') }, 'NATS_USER'],
    [{ NATS_CREDS_FILE: '/nonexistent/orgs.creds' }, 'NATS_CREDS_FILE'],
    [{ NATS_TLS_CERT_FILE: file('cert.pem') }, 'NATS_TLS_KEY_FILE'],
    [{ NATS_TLS_KEY_FILE: file('key.pem') }, 'NATS_TLS_CERT_FILE'],
    [{ NATS_STREAM_REPLICAS: '0' }, 'NATS_STREAM_REPLICAS'],
    [{ NATS_INBOX_PREFIX: '_INBOX.>' }, 'NATS_INBOX_PREFIX'],
  ])('refuses %j at boot, naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`(${variable}):`));
  });

  it('builds user and password, TLS files and an inbox of the user’s own into the connection options', () => {
    const ca = file('ca.pem');
    const config = loadConfig({
      NATS_SUBJECT_PREFIX: 'staging.',
      NATS_USER: 'billing',
      NATS_PASSWORD: 'pw',
      NATS_TLS_CA_FILE: ca,
    });
    expect(natsConnectionOptions('nats://n:4222', config, 'x')).toMatchObject({
      servers: 'nats://n:4222',
      user: 'billing',
      pass: 'pw',
      tls: { caFile: ca },
      inboxPrefix: '_INBOX.staging.billing',
    });
    expect(
      natsConnectionOptions('nats://n:4222', loadConfig({ NATS_NKEY_SEED_FILE: file('seed') }), 'x').authenticator,
    ).toEqual(expect.any(Function));
  });
});

describe('the event stream', () => {
  it('brings an existing stream to the configured settings instead of failing', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}.`;
    const stream = streamNameFor(prefix);
    const nc = await connect({ servers: NATS_URL });
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.streams.add({
        name: stream,
        subjects: [`${prefix}org.*`],
        storage: StorageType.File,
        max_age: nanos(60_000),
        num_replicas: 1,
      });
      const bus = await JetStreamEventBus.connect(NATS_URL, prefix, createLogger('silent', 'test'), {
        NATS_STREAM_REPLICAS: 1,
      });
      await bus.close();
      const { config } = await jsm.streams.info(stream);
      expect(config.max_age).toBe(nanos(7 * 24 * 3600_000));
      expect(config.subjects).toContain(`${prefix}billing.*`);
      expect(config.num_replicas).toBe(1);
    } finally {
      await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    }
  });
});

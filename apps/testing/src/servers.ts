import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, ConnectionOptions } from 'nats';
import { Client } from 'pg';

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_NATS = 'nats://127.0.0.1:4222';

export interface TestServers {
  postgresAdminUrl: string;
  natsUrl: string;
}

let servers: Promise<TestServers> | undefined;

/**
 * Real servers for the tests: DATABASE_URL / NATS_URL when set, else the standard local ports,
 * else containers when a Docker engine exists, else one message saying what to start.
 */
export function testServers(): Promise<TestServers> {
  servers ??= findServers();
  return servers;
}

async function findServers(): Promise<TestServers> {
  const postgresAdminUrl =
    process.env.DATABASE_URL ?? ((await postgresAnswers(LOCAL_POSTGRES)) ? LOCAL_POSTGRES : undefined);
  const natsUrl = process.env.NATS_URL ?? ((await jetStreamAnswers(LOCAL_NATS)) ? LOCAL_NATS : undefined);
  if (postgresAdminUrl && natsUrl) {
    await keepAccountStore(natsUrl);
    return { postgresAdminUrl, natsUrl };
  }
  if (dockerAvailable()) return startContainers(postgresAdminUrl, natsUrl);
  throw new Error(
    [
      'The tests need a real PostgreSQL and a real NATS server with JetStream.',
      postgresAdminUrl
        ? ''
        : `  PostgreSQL: set DATABASE_URL or start one on 127.0.0.1:5432 (user postgres, trust auth).`,
      natsUrl ? '' : `  NATS: set NATS_URL or start one with JetStream: nats-server -js -a 127.0.0.1 -p 4222`,
      '  (With a Docker engine running, both are started in containers instead.)',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** `credentials`: a user of a server that requires one (a private server with the generated permissions). */
export async function jetStreamAnswers(url: string, credentials: Partial<ConnectionOptions> = {}): Promise<boolean> {
  try {
    const nc = await connect({ ...credentials, servers: url, timeout: 2000, maxReconnectAttempts: 0 });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

const ANCHOR_STREAM = 'ORG_MANAGEMENT_TEST_ANCHOR';

/**
 * nats-server 2.9 removes an account's store directory with its last stream, and a stream created
 * at that moment fails ("error creating store for stream"). Test systems create and delete streams
 * all the time on the shared server, so one stream that holds nothing stays there for good.
 */
async function keepAccountStore(natsUrl: string): Promise<void> {
  const nc = await connect({ servers: natsUrl, timeout: 2000, maxReconnectAttempts: 0 });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams
      .info(ANCHOR_STREAM)
      .catch(() => jsm.streams.add({ name: ANCHOR_STREAM, subjects: ['org-management-test-anchor'], max_msgs: 1 }));
  } finally {
    await nc.close();
  }
}

function dockerAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function startContainers(postgresUrl: string | undefined, natsUrl: string | undefined): Promise<TestServers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  if (!postgresUrl) {
    const pg = await new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    postgresUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
  }
  if (!natsUrl) {
    const nats = await new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).start();
    natsUrl = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
  }
  return { postgresAdminUrl: postgresUrl, natsUrl };
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file, dropped afterwards. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `om_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

import { INestApplicationContext, Type } from '@nestjs/common';
import { Organization, ServiceName } from '@org-mgmt/contracts';
import {
  AppConfig,
  Clock,
  createDatabase,
  createLogger,
  Knex,
  loadConfig,
  natsBus,
  streamNameFor,
} from '@org-mgmt/runtime';
import { RunningSystem, SERVICE_NAMES, startSystem } from '@org-mgmt/system';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connect, ConnectionOptions } from 'nats';
import { busKeyEnv } from './bus-identity';
import { Api, apiClient } from './http';
import { NatsUsers } from './nats-users';
import { createTestDatabase, TestServers, testServers } from './servers';
import { mintToken, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET, TokenClaims } from './tokens';

export interface TestSystemOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /** Run the services as separate processes; defaults to TEST_SERVICES=processes. */
  separateProcesses?: boolean;
  /** PostgreSQL and NATS to use instead of the shared ones (the fault suite's private, restartable servers). */
  servers?: TestServers;
  /**
   * A NATS server with the generated per-process users (needs separateProcesses): each spawned
   * service connects as its own user, the in-process gateway as the gateway, and its subject prefix is used.
   */
  natsUsers?: NatsUsers;
}

export interface TestSystem {
  url: string;
  api: Api;
  config: AppConfig;
  env: Record<string, string>;
  running: RunningSystem;
  /** True when the services run as separate processes (TEST_SERVICES=processes). */
  separateProcesses: boolean;
  token(claims: TokenClaims): Promise<string>;
  rootToken(): Promise<string>;
  /** Registers an org through the API as a root operator. */
  registerOrg(companyName?: string): Promise<Organization>;
  /** A pool on one service's schema of this run's database, for assertions. */
  db(schema: ServiceName): Knex;
  /** A provider of an in-process service (not available with separate processes). */
  provider<T>(service: ServiceName, type: Type<T>): T;
  close(): Promise<void>;
}

const REPO_ROOT = join(__dirname, '..', '..', '..');

/**
 * The whole system for one test file: a fresh database, a NATS subject prefix of its own, the four
 * services reached over real NATS (in this process, or as separate processes with
 * TEST_SERVICES=processes), and the gateway on an ephemeral port.
 */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const servers = options.servers ?? (await testServers());
  const database = await createTestDatabase(servers.postgresAdminUrl);
  const prefix = options.natsUsers?.subjectPrefix ?? `t${randomBytes(5).toString('hex')}.`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: database.url,
    NATS_URL: servers.natsUrl,
    NATS_SUBJECT_PREFIX: prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    OUTBOX_POLL_INTERVAL_MS: '50',
    RPC_TIMEOUT_MS: '5000',
    // Several test files run at once against one PostgreSQL: stay well inside its max_connections.
    DATABASE_POOL_MAX: '4',
    // Every test client is 127.0.0.1: the public endpoints' per-IP limit is exercised by test/security only.
    PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000',
    ...busKeyEnv(),
    ...options.env,
  };
  const separateProcesses = options.separateProcesses ?? process.env.TEST_SERVICES === 'processes';
  const users = options.natsUsers;
  if (users && !separateProcesses)
    throw new Error('natsUsers needs separateProcesses: every process has a NATS user of its own');
  const children: ChildProcess[] = [];
  let running: RunningSystem | undefined;
  const pools = new Map<ServiceName, Knex>();
  // Also after a failed start: anything left running would keep the test worker from exiting.
  const close = async () => {
    await running?.close();
    await Promise.all(children.map(stopChild));
    await Promise.all([...pools.values()].map((p) => p.destroy()));
    await deleteStream(servers.natsUrl, prefix, users?.admin);
    await database.drop();
  };
  let config: AppConfig;
  try {
    config = loadConfig({ ...env, ...users?.env('gateway') });
    const logger = createLogger(config.LOG_LEVEL, 'test');
    if (separateProcesses)
      children.push(...SERVICE_NAMES.map((name) => spawnService(name, { ...env, ...users?.env(name) })));
    // With the services in their own processes, this one is the gateway alone: it only reads the stream.
    const bus = await natsBus(config, servers.natsUrl, logger, undefined, !separateProcesses);
    running = await startSystem({
      config,
      databaseUrl: database.url,
      bus,
      logger,
      services: separateProcesses ? [] : SERVICE_NAMES,
      gateway: true,
      gatewayHost: '127.0.0.1',
      clock: options.clock,
    });
    if (separateProcesses) await waitUntilReady(running.gateway!.url);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const url = running.gateway!.url;
  const api = apiClient(url);

  const system: TestSystem = {
    url,
    api,
    config,
    env,
    running,
    separateProcesses,
    token: mintToken,
    rootToken: () => mintToken({ orgId: config.ROOT_ORG_ID, roles: ['RootAdmin'], sub: 'root-operator' }),
    async registerOrg(companyName = `Org ${randomBytes(4).toString('hex')}`) {
      const res = await api('POST', '/org-register', {
        token: await system.rootToken(),
        body: { companyName, ownerEmail: `owner-${randomBytes(4).toString('hex')}@example.com` },
      });
      if (res.status !== 201) throw new Error(`registerOrg failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Organization;
    },
    db(schema) {
      if (!pools.has(schema)) pools.set(schema, createDatabase(database.url, schema, 2));
      return pools.get(schema)!;
    },
    provider(service, type) {
      const app: INestApplicationContext | undefined = running.services.find((s) => s.name === service)?.app;
      if (!app) throw new Error(`${service} does not run in this process`);
      return app.get(type);
    },
    close,
  };
  return system;
}

/** One service (or the k8s-teardown worker) as a separate process of the deployment (tests stop or kill it to prove recovery). */
export function spawnService(name: ServiceName | 'k8s-teardown', env: Record<string, string>): ChildProcess {
  return spawnScript(join('apps', 'system', 'scripts', 'start-service.ts'), [name], env);
}

/** A TypeScript file of the repository (path relative to its root) run as a process of its own. */
export function spawnScript(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntilReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('The service processes did not become ready');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Deletes the event stream of a test's subject prefix (what a test's own JetStreamEventBus created). */
export async function deleteStream(
  natsUrl: string,
  prefix: string,
  credentials: Partial<ConnectionOptions> = {},
): Promise<void> {
  const nc = await connect({ ...credentials, servers: natsUrl });
  try {
    await (await nc.jetstreamManager()).streams.delete(streamNameFor(prefix)).catch(() => false);
  } finally {
    await nc.close();
  }
}

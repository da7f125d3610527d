/**
 * GET /org-management/profile at fixed concurrency through the whole system, side by side in one
 * run: distributed (gateway and four services as separate processes over NATS), embedded (one
 * process, in-process bus), and the baseline (bare express + pg, the same queries); then the cold
 * start of `npm start` to its first 200. Prints a table with ratios to the baseline and writes
 * bench/results/gateway.json. BENCH_CONNECTIONS (32) and BENCH_DURATION_S (5) tune the load.
 */
import { SERVICE_NAMES } from '@org-mgmt/system';
import { createTestDatabase, mintToken, testServers, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '@org-mgmt/testing';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, load, LoadResult, rssMiB, startProcess, stopProcess, table, until200, writeResults } from './lib';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const TARGET_THROUGHPUT_RATIO = 0.6;
const TARGET_P99_MS = 10;

interface Measured {
  target: string;
  result: LoadResult;
  rss: Record<string, number>;
}

interface Deployment {
  url: string;
  processes: Record<string, ChildProcess>;
}

async function measure(target: string, deployment: Deployment, token: string): Promise<Measured> {
  const headers = { authorization: `Bearer ${token}` };
  const url = `${deployment.url}/org-management/profile`;
  const check = await fetch(url, { headers });
  if (check.status !== 200) throw new Error(`${target}: GET /profile answered ${check.status}: ${await check.text()}`);
  const result = await load(url, headers, CONNECTIONS, DURATION_S);
  const rss = Object.fromEntries(Object.entries(deployment.processes).map(([name, child]) => [name, rssMiB(child.pid)]));
  await Promise.all(Object.values(deployment.processes).map(stopProcess));
  return { target, result, rss };
}

async function distributed(env: Record<string, string>): Promise<Deployment> {
  const port = await freePort();
  const processes: Record<string, ChildProcess> = {};
  for (const name of SERVICE_NAMES) processes[name] = startProcess('scripts/start-service.ts', [name], env);
  processes.gateway = startProcess('scripts/start-service.ts', ['gateway'], { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await until200(`${url}/health/ready`, {}, processes.gateway);
  return { url, processes };
}

async function embedded(env: Record<string, string>): Promise<Deployment> {
  const port = await freePort();
  const child = startProcess('scripts/start-embedded.ts', [], { ...env, NATS_URL: '', PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await until200(`${url}/health/ready`, {}, child);
  return { url, processes: { 'embedded (all five)': child } };
}

async function baseline(env: Record<string, string>): Promise<Deployment> {
  const port = await freePort();
  const child = startProcess('bench/baseline-server.ts', [], { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await until200(`${url}/org-management/profile`, { authorization: `Bearer ${await mintToken({ orgId: 'org_root' })}` }, child).catch(() => 0);
  return { url, processes: { 'express + pg': child } };
}

/** `npm start` on an empty DATA_DIR (embedded PostgreSQL initdb included) until GET /profile answers 200. */
async function coldStart(env: Record<string, string>): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'om-bench-'));
  chmodSync(dataDir, 0o755); // as root, embedded PostgreSQL runs as its own user and must reach its directory
  const port = await freePort();
  const started = Date.now();
  const child = startProcess('scripts/start-embedded.ts', [], { ...env, DATABASE_URL: '', NATS_URL: '', DATA_DIR: dataDir, PORT: String(port) });
  try {
    const token = await mintToken({ orgId: 'org_root', roles: ['RootAdmin'] });
    await until200(`http://127.0.0.1:${port}/org-management/profile`, { authorization: `Bearer ${token}` }, child);
    return Date.now() - started;
  } finally {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function registerOrg(url: string): Promise<string> {
  const res = await fetch(`${url}/org-management/org-register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await mintToken({ orgId: 'org_root', roles: ['RootAdmin'] })}`, 'content-type': 'application/json' },
    body: JSON.stringify({ companyName: `Bench ${randomBytes(3).toString('hex')}`, ownerEmail: 'owner@bench.example.com' }),
  });
  if (res.status !== 201) throw new Error(`org-register answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

function row(m: Measured, base: Measured): Record<string, string | number> {
  const total = Object.values(m.rss).reduce((a, b) => a + b, 0);
  return {
    target: m.target,
    'req/s': Math.round(m.result.requests.average),
    'p50 ms': m.result.latency.p50,
    'p99 ms': m.result.latency.p99,
    'throughput vs baseline': (m.result.requests.average / base.result.requests.average).toFixed(2),
    'p99 vs baseline': (m.result.latency.p99 / Math.max(base.result.latency.p99, 0.001)).toFixed(2),
    'non-2xx+errors': m.result.non2xx + m.result.errors + m.result.timeouts,
    'RSS MiB': `${total} (${Object.entries(m.rss).map(([n, v]) => `${n} ${v}`).join(', ')})`,
  };
}

export default async function gatewayBench(): Promise<void> {
  const servers = await testServers();
  const database = await createTestDatabase(servers.postgresAdminUrl);
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    NATS_URL: servers.natsUrl,
    NATS_SUBJECT_PREFIX: `bench${randomBytes(4).toString('hex')}.`,
    JWT_SECRET: TEST_JWT_SECRET,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    LOG_LEVEL: 'warn',
    HEALTH_PORT: '',
  };
  try {
    const cluster = await distributed(env);
    const orgId = await registerOrg(cluster.url);
    const token = await mintToken({ orgId });
    const machine = `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at start`;
    process.stdout.write(`GET /org-management/profile, ${CONNECTIONS} connections, ${DURATION_S} s each (after 1 s warm-up), one run; ${machine}\n`);
    const runs = [await measure('gateway, distributed (NATS, 5 processes)', cluster, token)];
    runs.push(await measure('gateway, embedded (1 process)', await embedded(env), token));
    const base = await measure('baseline: express + pg, same queries', await baseline(env), token);
    const cold = await coldStart(env);

    process.stdout.write(`${table([...runs, base].map((m) => row(m, base)))}\n`);
    const routed = runs[0];
    const ratio = routed.result.requests.average / base.result.requests.average;
    process.stdout.write(
      [
        `cold start of npm start (empty DATA_DIR, embedded PostgreSQL) to the first 200: ${cold} ms`,
        `target: distributed throughput >= ${TARGET_THROUGHPUT_RATIO * 100}% of baseline: ${(ratio * 100).toFixed(0)}% ${ratio >= TARGET_THROUGHPUT_RATIO ? 'met' : 'NOT met'}`,
        `target: distributed p99 < ${TARGET_P99_MS} ms: ${routed.result.latency.p99} ms ${routed.result.latency.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`,
      ].join('\n') + '\n',
    );
    const file = writeResults('gateway', {
      measuredAt: new Date().toISOString(),
      endpoint: 'GET /org-management/profile',
      machine,
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      runs: [...runs, base].map((m) => ({
        target: m.target,
        requestsPerSecond: m.result.requests.average,
        latencyMs: { p50: m.result.latency.p50, p99: m.result.latency.p99, average: m.result.latency.average },
        throughputVsBaseline: m.result.requests.average / base.result.requests.average,
        failures: m.result.non2xx + m.result.errors + m.result.timeouts,
        rssMiB: m.rss,
      })),
      coldStartMs: cold,
    });
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await database.drop();
  }
}

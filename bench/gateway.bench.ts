/**
 * Two reads, GET /org-management/billing/balance (one row) and /profile (four queries), at fixed
 * concurrency through the whole system, side by side in one run: distributed (gateway and four services as separate processes over NATS), embedded (one
 * process, in-process bus), and the baseline (bare express + pg, the same queries); then the cold
 * start of `npm start` to its first 200; and the stock-NestJS peer (bench/peers/: a Nest gateway
 * with ClientProxy.send and a Nest @MessagePattern service with knex). Prints a table with ratios to the baseline and writes
 * bench/results/gateway.json. BENCH_CONNECTIONS (32) and BENCH_DURATION_S (5) tune the load.
 */
import { SERVICE_NAMES } from '@org-mgmt/system';
import {
  busKeyEnv,
  createTestDatabase,
  deleteStream,
  mintToken,
  testServers,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TEST_JWT_SECRET,
} from '@org-mgmt/testing';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, load, LoadResult, rssMiB, startProcess, stopProcess, table, until200, writeResults } from './lib';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_THROUGHPUT_RATIO = 0.6;
const TARGET_P99_MS = 10;

const READS = ['/billing/balance', '/profile'];
const DISTRIBUTED = 'distributed (NATS, 5 processes)';
const BASELINE = 'baseline: express + pg';
const PEER = 'peer: stock NestJS (ClientProxy over NATS)';
/** Ours against what a team would build from the same packages out of the box (bench/peers/). */
const TARGET_PEER_RATIO = 2;

interface Measured {
  target: string;
  read: string;
  result: LoadResult;
  rss: Record<string, number>;
}

interface Deployment {
  url: string;
  processes: Record<string, ChildProcess>;
}

interface Target {
  name: string;
  deployment: Deployment;
}

/**
 * Every read of every target under load, in ROUNDS interleaved rounds (so drift on a shared machine
 * hits every target alike), keeping each pair's median round by throughput; then each process's RSS.
 * Stops the deployments.
 */
async function measure(targets: Target[], token: string): Promise<Measured[]> {
  const headers = { authorization: `Bearer ${token}` };
  const urlOf = (target: Target, read: string) => `${target.deployment.url}/org-management${read}`;
  for (const target of targets) {
    for (const read of READS) {
      const check = await fetch(urlOf(target, read), { headers });
      if (check.status !== 200)
        throw new Error(`${target.name}: GET ${read} answered ${check.status}: ${await check.text()}`);
    }
  }
  const rounds = new Map<string, LoadResult[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) {
      for (const read of READS) {
        const key = `${target.name} ${read}`;
        rounds.set(key, [
          ...(rounds.get(key) ?? []),
          await load(urlOf(target, read), headers, CONNECTIONS, DURATION_S),
        ]);
      }
    }
  }
  const measured = targets.flatMap((target) => {
    const rss = Object.fromEntries(
      Object.entries(target.deployment.processes).map(([name, child]) => [name, rssMiB(child.pid)]),
    );
    return READS.map((read) => ({
      target: target.name,
      read,
      result: medianRun(rounds.get(`${target.name} ${read}`)!),
      rss,
    }));
  });
  await Promise.all(targets.flatMap((t) => Object.values(t.deployment.processes)).map(stopProcess));
  return measured;
}

function medianRun(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requests.average - b.requests.average);
  return sorted[Math.floor(sorted.length / 2)];
}

async function distributed(env: Record<string, string>): Promise<Deployment> {
  const port = await freePort();
  const processes: Record<string, ChildProcess> = {};
  for (const name of SERVICE_NAMES) processes[name] = startProcess('apps/system/scripts/start-service.ts', [name], env);
  processes.gateway = startProcess('apps/system/scripts/start-service.ts', ['gateway'], { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await until200(`${url}/health/ready`, {}, processes.gateway);
  return { url, processes };
}

async function embedded(env: Record<string, string>): Promise<Deployment> {
  const port = await freePort();
  const child = startProcess('apps/system/scripts/start-embedded.ts', [], { ...env, NATS_URL: '', PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await until200(`${url}/health/ready`, {}, child);
  return { url, processes: { 'embedded (all five)': child } };
}

async function baseline(env: Record<string, string>): Promise<Deployment> {
  const port = await freePort();
  const child = startProcess('bench/baseline-server.ts', [], { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await until200(
    `${url}/org-management/profile`,
    { authorization: `Bearer ${await mintToken({ orgId: 'org_root' })}` },
    child,
  ).catch(() => 0);
  return { url, processes: { 'express + pg': child } };
}

/** The stock-NestJS peer: its gateway and its one service, as two processes over the same NATS. */
async function peer(env: Record<string, string>): Promise<Deployment> {
  const port = await freePort();
  const service = startProcess('bench/peers/nest-service.ts', [], env);
  const gateway = startProcess('bench/peers/nest-gateway.ts', [], { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  const token = await mintToken({ orgId: 'org_root' });
  await until200(`${url}/org-management/billing/balance`, { authorization: `Bearer ${token}` }, gateway);
  return { url, processes: { 'peer gateway': gateway, 'peer service': service } };
}

/** `npm start` on an empty DATA_DIR (embedded PostgreSQL initdb included) until GET /profile answers 200. */
async function coldStart(env: Record<string, string>): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'om-bench-'));
  chmodSync(dataDir, 0o755); // as root, embedded PostgreSQL runs as its own user and must reach its directory
  const port = await freePort();
  const started = Date.now();
  const child = startProcess('apps/system/scripts/start-embedded.ts', [], {
    ...env,
    DATABASE_URL: '',
    NATS_URL: '',
    DATA_DIR: dataDir,
    PORT: String(port),
  });
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
    headers: {
      authorization: `Bearer ${await mintToken({ orgId: 'org_root', roles: ['RootAdmin'] })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      companyName: `Bench ${randomBytes(3).toString('hex')}`,
      ownerEmail: 'owner@bench.example.com',
    }),
  });
  if (res.status !== 201) throw new Error(`org-register answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

const PURCHASES = Number(process.env.BENCH_PURCHASES ?? 100);
const DUPLICATES = 3;
const PURCHASE_AMOUNT = 500;

interface PaymentRun {
  purchases: number;
  callsPerPurchase: number;
  completionsPerSecond: number;
  credited: number;
  expected: number;
  creditedOnce: boolean;
}

async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/**
 * complete-payment under duplicates: PURCHASES sandbox credit purchases, each completed DUPLICATES
 * times concurrently (a browser retrying, a webhook racing); the balance must grow by exactly one
 * credit per purchase.
 */
async function completePayments(url: string, orgId: string): Promise<PaymentRun> {
  const admin = {
    authorization: `Bearer ${await mintToken({ orgId, roles: ['ConfigAdmin'] })}`,
    'content-type': 'application/json',
  };
  const balance = async () =>
    ((await (await fetch(`${url}/org-management/billing/balance`, { headers: admin })).json()) as { balance: number })
      .balance;
  const before = await balance();
  const purchases: { paymentIntentId: string; transactionId: string }[] = [];
  await inParallel([...Array(PURCHASES).keys()], 8, async () => {
    const res = await fetch(`${url}/org-management/billing/buy-credits`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ amount: PURCHASE_AMOUNT, currency: 'USD', paymentMethodId: 'pm_card_visa' }),
    });
    if (res.status !== 201) throw new Error(`buy-credits answered ${res.status}: ${await res.text()}`);
    purchases.push((await res.json()) as { paymentIntentId: string; transactionId: string });
  });
  const calls = purchases.flatMap((p) => Array.from({ length: DUPLICATES }, () => p));
  const started = process.hrtime.bigint();
  await inParallel(calls, CONNECTIONS, async ({ paymentIntentId, transactionId }) => {
    const res = await fetch(`${url}/org-management/billing/complete-payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paymentIntentId, transactionId }),
    });
    if (res.status !== 200) throw new Error(`complete-payment answered ${res.status}: ${await res.text()}`);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const credited = (await balance()) - before;
  const expected = PURCHASES * PURCHASE_AMOUNT;
  return {
    purchases: PURCHASES,
    callsPerPurchase: DUPLICATES,
    completionsPerSecond: Math.round(calls.length / seconds),
    credited,
    expected,
    creditedOnce: credited === expected,
  };
}

function row(m: Measured, base: Measured, peer: Measured): Record<string, string | number> {
  const total = Object.values(m.rss).reduce((a, b) => a + b, 0);
  return {
    target: m.target,
    read: m.read,
    'req/s': Math.round(m.result.requests.average),
    'p50 ms': m.result.latency.p50,
    'p99 ms': m.result.latency.p99,
    'throughput vs baseline': (m.result.requests.average / base.result.requests.average).toFixed(2),
    'p99 vs baseline': (m.result.latency.p99 / Math.max(base.result.latency.p99, 0.001)).toFixed(2),
    'throughput vs peer': (m.result.requests.average / peer.result.requests.average).toFixed(2),
    'non-2xx+errors': m.result.non2xx + m.result.errors + m.result.timeouts,
    'RSS MiB': `${total} (${Object.entries(m.rss)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ')})`,
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
    // The complete-payment run is one client hammering a public endpoint on purpose.
    PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000',
    ...busKeyEnv(),
  };
  try {
    const cluster = await distributed(env);
    const orgId = await registerOrg(cluster.url);
    const token = await mintToken({ orgId });
    const machine = `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at start`;
    process.stdout.write(
      `GET ${READS.join(', ')}: ${CONNECTIONS} connections, ${DURATION_S} s each (after 1 s warm-up), median of ${ROUNDS} interleaved rounds; ${machine}\n`,
    );
    const payments = await completePayments(cluster.url, orgId);
    const targets = [
      { name: DISTRIBUTED, deployment: cluster },
      { name: 'embedded (1 process)', deployment: await embedded(env) },
      { name: BASELINE, deployment: await baseline(env) },
      { name: PEER, deployment: await peer(env) },
    ];
    const all = await measure(targets, token);
    const cold = await coldStart(env);
    const distributedRuns = all.filter((m) => m.target === DISTRIBUTED);
    const baseOf = (m: Measured) => all.find((b) => b.target === BASELINE && b.read === m.read)!;
    const peerOf = (m: Measured) => all.find((b) => b.target === PEER && b.read === m.read)!;

    process.stdout.write(`${table(all.map((m) => row(m, baseOf(m), peerOf(m))))}\n`);
    const verdicts = distributedRuns.flatMap((routed) => {
      if (!routed.result.requests.total) return [`target ${routed.read}: no request completed within the run`];
      const ratio = routed.result.requests.average / baseOf(routed).result.requests.average;
      const overPeer = routed.result.requests.average / peerOf(routed).result.requests.average;
      return [
        `target ${routed.read}: distributed throughput >= ${TARGET_PEER_RATIO}x the stock-NestJS peer: ${overPeer.toFixed(2)}x ${overPeer >= TARGET_PEER_RATIO ? 'met' : 'NOT met'}`,
        `target ${routed.read}: distributed throughput >= ${TARGET_THROUGHPUT_RATIO * 100}% of baseline: ${(ratio * 100).toFixed(0)}% ${ratio >= TARGET_THROUGHPUT_RATIO ? 'met' : 'NOT met'}`,
        `target ${routed.read}: distributed p99 < ${TARGET_P99_MS} ms: ${routed.result.latency.p99} ms ${routed.result.latency.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`,
      ];
    });
    const paid = `complete-payment, distributed: ${payments.purchases} purchases x ${payments.callsPerPurchase} concurrent calls: ${payments.completionsPerSecond} calls/s; credited ${payments.credited} of ${payments.expected} expected: ${payments.creditedOnce ? 'each purchase credited once' : 'CREDIT MISMATCH'}`;
    process.stdout.write(
      [
        paid,
        `cold start of npm start (empty DATA_DIR, embedded PostgreSQL) to the first 200: ${cold} ms`,
        ...verdicts,
      ].join('\n') + '\n',
    );
    const file = writeResults('gateway', {
      measuredAt: new Date().toISOString(),
      machine,
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      rounds: ROUNDS,
      runs: all.map((m) => ({
        target: m.target,
        endpoint: `GET /org-management${m.read}`,
        requestsPerSecond: m.result.requests.average,
        latencyMs: { p50: m.result.latency.p50, p99: m.result.latency.p99, average: m.result.latency.average },
        throughputVsBaseline: m.result.requests.average / baseOf(m).result.requests.average,
        throughputVsPeer: m.result.requests.average / peerOf(m).result.requests.average,
        failures: m.result.non2xx + m.result.errors + m.result.timeouts,
        rssMiB: m.rss,
      })),
      completePayment: payments,
      coldStartMs: cold,
    });
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await deleteStream(servers.natsUrl, env.NATS_SUBJECT_PREFIX);
    await database.drop();
  }
}

/**
 * Asset transfers at scale: moves BENCH_TRANSFER_RECORDS (1,000,000) records of one datatype
 * between two orgs through the whole system (gateway, transfers job, worker, participant protocol
 * over NATS, batches of BENCH_TRANSFER_BATCH = 2000), and a tenth of that first, to show that
 * memory stays bounded whatever the count. Then copies BENCH_TRANSFER_COPY_RECORDS (200,000) the
 * same way. Each is compared with the obvious alternative, one SQL statement on the same table
 * (UPDATE … SET org_id for a move, INSERT … SELECT for a copy), which is neither resumable,
 * cancellable, idempotent nor possible across services. Prints records/s, peak memory and ratios;
 * writes bench/results/transfers.json.
 */
import { Organization } from '@org-mgmt/contracts';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const RECORDS = Number(process.env.BENCH_TRANSFER_RECORDS ?? 1_000_000);
const COPY_RECORDS = Number(process.env.BENCH_TRANSFER_COPY_RECORDS ?? 200_000);
const BATCH = Number(process.env.BENCH_TRANSFER_BATCH ?? 2000);
const MiB = 1024 * 1024;

interface Run {
  name: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  peakHeapMiB?: number;
  peakRssMiB?: number;
}

export default async function transfersBench(): Promise<void> {
  const sys = await startTestSystem({ separateProcesses: false, env: { LOG_LEVEL: 'error', RPC_TIMEOUT_MS: '30000' } });
  try {
    const runs: Run[] = [];
    const small = Math.max(1, Math.round(RECORDS / 10));
    runs.push(await protocolRun(sys, 'move', small, `protocol move ×${small}`));
    runs.push(await protocolRun(sys, 'move', RECORDS, `protocol move ×${RECORDS}`));
    runs.push(await directMove(sys, RECORDS));
    runs.push(await protocolRun(sys, 'copy', COPY_RECORDS, `protocol copy ×${COPY_RECORDS}`));
    runs.push(await directCopy(sys, COPY_RECORDS));

    const [smallMove, move, sqlMove, copy, sqlCopy] = runs;
    const ratios = {
      moveVsSingleUpdate: round(move.recordsPerSecond / sqlMove.recordsPerSecond, 3),
      copyVsInsertSelect: round(copy.recordsPerSecond / sqlCopy.recordsPerSecond, 3),
      peakLiveHeapFor10xRecords: round((move.peakHeapMiB ?? 0) / Math.max(1, smallMove.peakHeapMiB ?? 1), 2),
    };
    console.log(table(runs));
    console.log(
      `\nratios: protocol move / single UPDATE = ${ratios.moveVsSingleUpdate}; protocol copy / INSERT…SELECT = ${ratios.copyVsInsertSelect}`,
    );
    console.log(
      `peak live heap for ${RECORDS} records / for ${small}: ${ratios.peakLiveHeapFor10xRecords} (bounded memory: ≈ 1)`,
    );
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'transfers.json'), `${JSON.stringify({ batchSize: BATCH, runs, ratios }, null, 2)}\n`);
  } finally {
    await sys.close();
  }
}

/** Seeds `count` records in a new org with one SQL statement (not measured); each record names a parent. */
async function seed(sys: TestSystem, count: number): Promise<Organization> {
  const org = await sys.registerOrg();
  const tag = org.id.slice(4, 12);
  await sys.db('transfers').raw(
    `INSERT INTO records (id, org_id, parent_id, key, data, created_at)
     SELECT 'rec_' || ? || g, ?, CASE WHEN g > 1 THEN 'rec_' || ? || (g / 2) END, ? || g, '{"title": "a record", "n": 1}', 0
     FROM generate_series(1, ?) AS g`,
    [tag, org.id, tag, `${tag}-`, count],
  );
  return org;
}

async function protocolRun(sys: TestSystem, mode: 'move' | 'copy', count: number, name: string): Promise<Run> {
  const source = await seed(sys, count);
  const target = await sys.registerOrg();
  const token = await sys.rootToken();
  const memory = sampleMemory();
  const started = process.hrtime.bigint();
  const created = await sys.api('POST', '/transfer/assets', {
    token,
    body: { datatype: 'records', mode, sourceOrgId: source.id, targetOrgId: target.id, batchSize: BATCH },
  });
  if (created.status !== 202) throw new Error(`transfer refused: ${created.status} ${JSON.stringify(created.body)}`);
  let job = created.body;
  while (!['completed', 'failed', 'cancelled'].includes(job.status)) {
    await new Promise((r) => setTimeout(r, 100));
    job = (await sys.api('GET', `/transfer/${job.id}`, { token })).body;
  }
  const seconds = elapsed(started);
  const peak = memory.stop();
  if (job.status !== 'completed' || job.totals.transferred !== count)
    throw new Error(`transfer ended ${job.status}: ${JSON.stringify(job)}`);
  return { name, records: count, seconds, recordsPerSecond: Math.round(count / seconds), ...peak };
}

async function directMove(sys: TestSystem, count: number): Promise<Run> {
  const source = await seed(sys, count);
  const target = await sys.registerOrg();
  const started = process.hrtime.bigint();
  const moved = await sys.db('transfers')('records').where({ org_id: source.id }).update({ org_id: target.id });
  const seconds = elapsed(started);
  if (moved !== count) throw new Error(`UPDATE moved ${moved}`);
  return { name: `single UPDATE ×${count}`, records: count, seconds, recordsPerSecond: Math.round(count / seconds) };
}

async function directCopy(sys: TestSystem, count: number): Promise<Run> {
  const source = await seed(sys, count);
  const target = await sys.registerOrg();
  const started = process.hrtime.bigint();
  const result = await sys.db('transfers').raw(
    `INSERT INTO records (id, org_id, parent_id, key, data, created_at)
     SELECT 'rec_' || md5(? || id), ?, CASE WHEN parent_id IS NOT NULL THEN 'rec_' || md5(? || parent_id) END, key, data, created_at
     FROM records WHERE org_id = ? ORDER BY seq`,
    [target.id, target.id, target.id, source.id],
  );
  const seconds = elapsed(started);
  if (result.rowCount !== count) throw new Error(`INSERT…SELECT copied ${result.rowCount}`);
  return { name: `INSERT…SELECT ×${count}`, records: count, seconds, recordsPerSecond: Math.round(count / seconds) };
}

/**
 * Peak live heap (sampled after a full GC, so garbage V8 has not collected yet does not count) and
 * peak RSS of this process (gateway, services and worker all run in it) while a transfer runs.
 */
function sampleMemory(): { stop(): { peakHeapMiB: number; peakRssMiB: number } } {
  let heap = 0;
  let rss = 0;
  const sample = () => {
    collectGarbage();
    const usage = process.memoryUsage();
    heap = Math.max(heap, usage.heapUsed);
    rss = Math.max(rss, usage.rss);
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakHeapMiB: Math.round(heap / MiB), peakRssMiB: Math.round(rss / MiB) };
    },
  };
}

let gc: (() => void) | undefined;
function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function table(runs: Run[]): string {
  const rows = runs.map((r) => ({
    run: r.name,
    seconds: r.seconds.toFixed(1),
    'records/s': String(r.recordsPerSecond),
    'peak live heap MiB': r.peakHeapMiB === undefined ? '' : String(r.peakHeapMiB),
    'peak RSS MiB': r.peakRssMiB === undefined ? '' : String(r.peakRssMiB),
  }));
  const columns = Object.keys(rows[0]) as (keyof (typeof rows)[number])[];
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(width[i])).join('  ');
  return [
    line(columns),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => r[c]))),
  ].join('\n');
}

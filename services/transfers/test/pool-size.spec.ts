import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { countOf, seedRecords, startTransfer, waitForJob } from './helpers';

/**
 * The worker holds one connection per job it drives (the job's session advisory lock) and needs
 * another for the job's own queries and for this service's participant: on a small pool it drives
 * fewer jobs at once instead of pinning every connection and waiting for one forever.
 */
describe('transfer worker on a small database pool', () => {
  let sys: TestSystem;

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: false, env: { DATABASE_POOL_MAX: '3' } });
  });
  afterAll(() => sys?.close());

  it('completes more concurrent jobs than the pool has connections', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 4 }, async () => [await sys.registerOrg(), await sys.registerOrg()] as const),
    );
    for (const [source] of pairs) await seedRecords(sys, source.id, 30, { prefix: source.id });
    const created = await Promise.all(
      pairs.map(([source, target]) =>
        startTransfer(sys, {
          datatype: 'records',
          mode: 'move',
          sourceOrgId: source.id,
          targetOrgId: target.id,
          batchSize: 10,
        }),
      ),
    );
    const jobs = await Promise.all(created.map((job) => waitForJob(sys, job.id)));
    expect(jobs.map((job) => [job.status, job.totals.transferred])).toEqual(Array(4).fill(['completed', 30]));
    for (const [source, target] of pairs) {
      expect(await countOf(sys, 'records', source.id)).toBe(0);
      expect(await countOf(sys, 'records', target.id)).toBe(30);
    }
  });
});

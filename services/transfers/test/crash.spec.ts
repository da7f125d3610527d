import { Organization } from '@org-mgmt/contracts';
import { ServiceProcesses, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { countOf, seedRecords, startTransfer, waitForJob } from './helpers';

/** The orchestrator and a participant killed with SIGKILL mid-transfer, as separate processes. */
describe('asset transfers survive killed processes', () => {
  jest.setTimeout(120_000);
  let sys: TestSystem;
  let processes: ServiceProcesses;

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: false, env: { RPC_TIMEOUT_MS: '2000' } });
    processes = new ServiceProcesses(sys);
  });
  afterAll(async () => {
    await processes?.close();
    await sys?.close();
  });

  const step = (jobId: string) =>
    sys.db('transfers')('transfer_job_steps').where({ job_id: jobId, position: 0 }).first();

  it('kills the orchestrator (with its record-store participant) mid-move; a new process finishes with every record moved once', async () => {
    const [source, target]: Organization[] = [await sys.registerOrg(), await sys.registerOrg()];
    await processes.start('transfers');
    const { recordIds } = await seedRecords(sys, source.id, 1500, { prefix: 'k' });
    const job = await startTransfer(sys, {
      datatype: 'records',
      mode: 'move',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 50,
    });
    await until(async () => (await step(job.id)).batches >= 5);
    await processes.kill('transfers');

    const mid = await step(job.id);
    const [left, arrived] = [await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)];
    expect(mid.transferred).toBeLessThan(1500);
    expect(left + arrived).toBe(1500);
    // At most the batch in flight was committed by the participant but not yet recorded by the job.
    expect([mid.transferred, mid.transferred + 50]).toContain(arrived);

    await processes.start('transfers');
    const done = await waitForJob(sys, job.id);
    expect(done).toMatchObject({ status: 'completed', totals: { sourceCount: 1500, transferred: 1500 } });
    const moved = await sys.db('transfers')('records').where({ org_id: target.id }).pluck('id');
    expect(moved.sort()).toEqual([...recordIds].sort());
  });

  it('kills the orgs service (the addresses participant) mid-move; the job waits for it and ends exact', async () => {
    const [source, target]: Organization[] = [await sys.registerOrg(), await sys.registerOrg()];
    const owner = await sys.db('orgs')('customers').where({ org_id: source.id }).first();
    const now = Date.now();
    const addresses = Array.from({ length: 400 }, (_, i) => ({
      id: `adr_crash${String(i).padStart(6, '0')}`,
      org_id: source.id,
      customer_id: owner.id,
      type: 'mailing',
      line1: `${i} Street`,
      city: 'Oslo',
      postal_code: '0150',
      country: 'NO',
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < addresses.length; i += 1000)
      await sys
        .db('orgs')('addresses')
        .insert(addresses.slice(i, i + 1000));
    await processes.start('orgs');
    if (!processes.running('transfers')) await processes.start('transfers');

    const job = await startTransfer(sys, {
      datatype: 'addresses',
      mode: 'move',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 20,
    });
    await until(async () => (await step(job.id)).batches >= 3);
    await processes.kill('orgs');
    await until(async () =>
      Boolean((await sys.db('transfers')('transfer_jobs').where({ id: job.id }).first()).retrying),
    );

    await processes.start('orgs');
    const done = await waitForJob(sys, job.id);
    expect(done).toMatchObject({ status: 'completed', totals: { sourceCount: 400, transferred: 400 } });
    const count = async (orgId: string) =>
      Number((await sys.db('orgs')('addresses').where({ org_id: orgId }).count({ n: '*' }))[0].n);
    expect([await count(source.id), await count(target.id)]).toEqual([0, 400]);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

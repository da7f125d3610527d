import { Organization, RpcRequest, ServiceName } from '@org-mgmt/contracts';
import { NatsRpcClient } from '@org-mgmt/runtime';
import { spawnService, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { ChildProcess } from 'node:child_process';
import { countOf, seedRecords, startTransfer, waitForJob } from './helpers';

/** The orchestrator and a participant killed with SIGKILL mid-transfer, as separate processes. */
describe('asset transfers survive killed processes', () => {
  jest.setTimeout(120_000);
  let sys: TestSystem;
  let rpc: NatsRpcClient;
  const children = new Map<ServiceName, ChildProcess>();

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: false, env: { RPC_TIMEOUT_MS: '2000' } });
    rpc = new NatsRpcClient(sys.env.NATS_URL, sys.env.NATS_SUBJECT_PREFIX, 1000);
    await rpc.connect();
  });
  afterAll(async () => {
    // Waits for each exit: a child not reaped yet keeps the test worker alive.
    await Promise.all([...children.keys()].map(kill));
    await rpc?.close();
    await sys?.close();
  });

  /** Replaces the in-process instance (if any) with a separate process and waits until it answers. */
  async function runAsProcess(name: ServiceName): Promise<void> {
    const index = sys.running.services.findIndex((s) => s.name === name);
    if (index >= 0) {
      await sys.running.services[index].close();
      sys.running.services.splice(index, 1);
    }
    children.set(name, spawnService(name, sys.env));
    const ping: RpcRequest = { principal: null, orgId: null, requestId: 'ping' };
    await until(async () => (await rpc.request(`${name}.health.check`, ping)).ok, 60_000);
  }

  async function kill(name: ServiceName): Promise<void> {
    const child = children.get(name)!;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    children.delete(name);
  }

  const step = (jobId: string) => sys.db('transfers')('transfer_job_steps').where({ job_id: jobId, position: 0 }).first();

  it('kills the orchestrator (with its record-store participant) mid-move; a new process finishes with every record moved once', async () => {
    const [source, target]: Organization[] = [await sys.registerOrg(), await sys.registerOrg()];
    await runAsProcess('transfers');
    const { recordIds } = await seedRecords(sys, source.id, 1500, { prefix: 'k' });
    const job = await startTransfer(sys, { datatype: 'records', mode: 'move', sourceOrgId: source.id, targetOrgId: target.id, batchSize: 50 });
    await until(async () => (await step(job.id)).batches >= 5);
    await kill('transfers');

    const mid = await step(job.id);
    const [left, arrived] = [await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)];
    expect(mid.transferred).toBeLessThan(1500);
    expect(left + arrived).toBe(1500);
    // At most the batch in flight was committed by the participant but not yet recorded by the job.
    expect([mid.transferred, mid.transferred + 50]).toContain(arrived);

    await runAsProcess('transfers');
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
      id: `adr_crash${String(i).padStart(6, '0')}`, org_id: source.id, customer_id: owner.id, type: 'mailing',
      line1: `${i} Street`, city: 'Oslo', postal_code: '0150', country: 'NO', created_at: now, updated_at: now,
    }));
    for (let i = 0; i < addresses.length; i += 1000) await sys.db('orgs')('addresses').insert(addresses.slice(i, i + 1000));
    await runAsProcess('orgs');
    if (!children.has('transfers')) await runAsProcess('transfers');

    const job = await startTransfer(sys, { datatype: 'addresses', mode: 'move', sourceOrgId: source.id, targetOrgId: target.id, batchSize: 20 });
    await until(async () => (await step(job.id)).batches >= 3);
    await kill('orgs');
    await until(async () => Boolean((await sys.db('transfers')('transfer_jobs').where({ id: job.id }).first()).retrying));

    await runAsProcess('orgs');
    const done = await waitForJob(sys, job.id);
    expect(done).toMatchObject({ status: 'completed', totals: { sourceCount: 400, transferred: 400 } });
    const count = async (orgId: string) => Number((await sys.db('orgs')('addresses').where({ org_id: orgId }).count({ n: '*' }))[0].n);
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

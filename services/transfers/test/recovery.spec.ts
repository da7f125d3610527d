import { Organization, RpcRequest, ServiceName } from '@org-mgmt/contracts';
import { Bus, createLogger, natsBus, RpcClient, startService } from '@org-mgmt/runtime';
import { SERVICES } from '@org-mgmt/system';
import { startTestSystem, TestSystem, signedRpcClient } from '@org-mgmt/testing';
import { JobRunner, JobScheduler } from '@org-mgmt/transfers';
import { countOf, seedRecords, startTransfer, waitForJob } from './helpers';

/** Jobs that are stopped, cancelled, failed, restarted or raced still end with exact counts. */
describe('asset transfers survive restarts, cancels and failures', () => {
  let sys: TestSystem;
  let root: string;
  const buses: Bus[] = [];

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: false });
    root = await sys.rootToken();
  });
  afterAll(async () => {
    await sys?.close();
    await Promise.all(buses.map((b) => b.close()));
  });

  const worker = () => sys.provider('transfers', JobScheduler);
  const runner = () => sys.provider('transfers', JobRunner);
  const twoOrgs = async (): Promise<[Organization, Organization]> => [await sys.registerOrg(), await sys.registerOrg()];

  /** Stops the worker right after it records batch `batchNo` of any job: the job stays mid-way. */
  function stopWorkerAfterBatch(batchNo: number): Promise<void> {
    const current = worker();
    return new Promise((resolve) => {
      const off = runner().onBatchCommitted((batch) => {
        if (batch.batchNo !== batchNo) return;
        off();
        void current.stop().then(resolve);
      });
    });
  }

  async function stopService(name: ServiceName): Promise<number> {
    const index = sys.running.services.findIndex((s) => s.name === name);
    await sys.running.services[index].close();
    return index;
  }

  /** Starts a service again in this process, as a new instance on its own NATS connection. */
  async function startServiceAgain(name: ServiceName, index: number): Promise<void> {
    const logger = createLogger('warn', 'test');
    const bus = await natsBus(sys.config, sys.env.NATS_URL, logger);
    buses.push(bus);
    const service = await startService(SERVICES[name], {
      config: sys.config,
      databaseUrl: sys.env.DATABASE_URL,
      bus,
      logger,
    });
    sys.running.services.splice(index, 1, service);
  }

  async function jobRow(id: string) {
    const job = await sys.db('transfers')('transfer_jobs').where({ id }).first();
    const steps = await sys.db('transfers')('transfer_job_steps').where({ job_id: id }).orderBy('position');
    return { ...job, steps };
  }

  it('a restart of the transfers service mid-job resumes from the last committed cursor, losing and duplicating nothing', async () => {
    const [source, target] = await twoOrgs();
    const { recordIds } = await seedRecords(sys, source.id, 300, { prefix: 'rs' });
    const stopped = stopWorkerAfterBatch(3);
    const job = await startTransfer(sys, {
      datatype: 'records',
      mode: 'move',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 20,
    });
    await stopped;
    const index = await stopService('transfers');

    const mid = await jobRow(job.id);
    expect(mid.status).toBe('running');
    expect(mid.steps[0]).toMatchObject({ status: 'running', transferred: 60, batches: 3 });
    expect([await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)]).toEqual([240, 60]);

    await startServiceAgain('transfers', index);
    const done = await waitForJob(sys, job.id);
    expect(done).toMatchObject({ status: 'completed', totals: { sourceCount: 300, transferred: 300 } });
    expect(done.datatypes[0].batches).toBe(15);
    expect(await countOf(sys, 'records', source.id)).toBe(0);
    const moved = await sys.db('transfers')('records').where({ org_id: target.id }).pluck('id');
    expect(moved.sort()).toEqual([...recordIds].sort());
  });

  it('a crash after the participant committed a batch but before the job recorded it re-sends that batch, which is not done twice', async () => {
    const [source, target] = await twoOrgs();
    await seedRecords(sys, source.id, 100, { prefix: 'cw' });
    const stopped = stopWorkerAfterBatch(4);
    const job = await startTransfer(sys, {
      datatype: 'records',
      mode: 'copy',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 10,
    });
    await stopped;
    const index = await stopService('transfers');

    // Forget batch 4 on the orchestrator's side only, as a crash just before recording it would.
    const db = sys.db('transfers');
    const third = await db('transfer_job_batches').where({ job_id: job.id, batch_no: 3 }).first();
    await db('transfer_job_batches').where({ job_id: job.id, batch_no: 4 }).del();
    await db('transfer_job_steps')
      .where({ job_id: job.id, position: 0 })
      .update({ batches: 3, transferred: 30, cursor: third.cursor_after });
    expect(await countOf(sys, 'records', target.id)).toBe(40);

    await startServiceAgain('transfers', index);
    const done = await waitForJob(sys, job.id);
    expect(done).toMatchObject({ status: 'completed', totals: { transferred: 100 } });
    expect(await countOf(sys, 'records', target.id)).toBe(100);
    expect(await countOf(sys, 'records', source.id)).toBe(100);
    const ledger = await db('transfer_participant_batches').where({ transfer_id: job.id }).orderBy('committed_at');
    expect(ledger.map((l) => l.batch_id)).toContain(`${job.id}.0.4`);
    expect(ledger.reduce((sum, l) => sum + l.reply.transferred, 0)).toBe(100);
  });

  it('waits for a participant that goes down mid-transfer and finishes when it is back', async () => {
    const [source, target] = await twoOrgs();
    const admin = await sys.token({ orgId: source.id, roles: ['ConfigAdmin'] });
    for (let i = 0; i < 8; i++) {
      const res = await sys.api('POST', '/profile/addresses', {
        token: admin,
        body: { type: 'mailing', line1: `${i} Lane`, city: 'Bergen', postalCode: '5003', country: 'NO' },
      });
      expect(res.status).toBe(201);
    }
    const stopped = stopWorkerAfterBatch(2);
    const job = await startTransfer(sys, {
      datatype: 'addresses',
      mode: 'move',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 2,
    });
    await stopped;
    const orgsIndex = await stopService('orgs');
    worker().start();

    const waiting = await waitForJob(sys, job.id, ['running'], 30_000).then(async function poll(j): Promise<typeof j> {
      return j.retrying ? j : poll(await waitForJob(sys, job.id, ['running']));
    });
    expect(waiting.retrying).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(waiting.datatypes[0]).toMatchObject({ transferred: 4, batches: 2 });

    await startServiceAgain('orgs', orgsIndex);
    const done = await waitForJob(sys, job.id);
    expect(done).toMatchObject({ status: 'completed', retrying: null, totals: { transferred: 8 } });
    const [{ n: left }] = await sys.db('orgs')('addresses').where({ org_id: source.id }).count({ n: '*' });
    const [{ n: arrived }] = await sys.db('orgs')('addresses').where({ org_id: target.id }).count({ n: '*' });
    expect([left, arrived]).toEqual([0, 8]);
  });

  describe('cancel', () => {
    it('stops a running job after its current batch; resume finishes it', async () => {
      const [source, target] = await twoOrgs();
      await seedRecords(sys, source.id, 100, { prefix: 'cx' });
      const stopped = stopWorkerAfterBatch(2);
      const job = await startTransfer(sys, {
        datatype: 'records',
        mode: 'move',
        sourceOrgId: source.id,
        targetOrgId: target.id,
        batchSize: 10,
      });
      await stopped;

      const cancel = await sys.api('POST', `/transfer/${job.id}/cancel`, { token: root });
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ status: 'running', cancelRequested: true });
      worker().start();
      const cancelled = await waitForJob(sys, job.id);
      expect(cancelled).toMatchObject({ status: 'cancelled', totals: { transferred: 20 } });
      expect(cancelled.datatypes[0]).toMatchObject({ status: 'cancelled', batches: 2 });
      expect([await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)]).toEqual([80, 20]);

      const again = await sys.api('POST', `/transfer/${job.id}/cancel`, { token: root });
      expect(again.status).toBe(409);
      const resumed = await sys.api('POST', `/transfer/${job.id}/resume`, { token: root });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ status: 'queued', cancelRequested: false });
      const done = await waitForJob(sys, job.id);
      expect(done).toMatchObject({ status: 'completed', totals: { transferred: 100 } });
      expect([await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)]).toEqual([0, 100]);
      expect((await sys.api('POST', `/transfer/${job.id}/resume`, { token: root })).status).toBe(409);
    });

    it('cancels a queued job at once, before anything moves', async () => {
      const [source, target] = await twoOrgs();
      await seedRecords(sys, source.id, 10, { prefix: 'cq' });
      await worker().stop();
      try {
        const job = await startTransfer(sys, {
          datatype: 'records',
          mode: 'move',
          sourceOrgId: source.id,
          targetOrgId: target.id,
        });
        const res = await sys.api('POST', `/transfer/${job.id}/cancel`, { token: root });
        expect(res.body).toMatchObject({ status: 'cancelled', totals: { transferred: 0 } });
        expect(res.body.finishedAt).toEqual(expect.any(Number));
      } finally {
        worker().start();
      }
      expect(await countOf(sys, 'records', source.id)).toBe(10);
    });

    it('404 for an unknown job', async () => {
      expect((await sys.api('POST', '/transfer/xfer_nothere/cancel', { token: root })).status).toBe(404);
    });
  });

  describe('a bulk job failing part-way', () => {
    async function failingBulkMove() {
      const [source, target] = await twoOrgs();
      await seedRecords(sys, source.id, 30, { prefix: 'bf' });
      // The target already holds a record with the key of source record 17: batch 4 (records 15–19) conflicts.
      await sys
        .db('transfers')('records')
        .insert({ id: 'rec_conflicting', org_id: target.id, key: 'bf-17', data: '{}', created_at: Date.now() });
      const created = await startTransfer(sys, {
        datatypes: ['collections', 'records'],
        mode: 'move',
        sourceOrgId: source.id,
        targetOrgId: target.id,
        batchSize: 5,
      });
      const job = await waitForJob(sys, created.id);
      return { source, target, job };
    }

    it('reports exactly what moved, and resumes from the failed batch once the conflict is gone', async () => {
      const { source, target, job } = await failingBulkMove();
      expect(job).toMatchObject({
        status: 'failed',
        error: { code: 'CONFLICT', details: { datatype: 'records', batchId: `${job.id}.1.4` } },
        totals: { sourceCount: 32, transferred: 17 },
      });
      expect(job.datatypes).toEqual([
        expect.objectContaining({ datatype: 'collections', status: 'completed', transferred: 2 }),
        expect.objectContaining({
          datatype: 'records',
          status: 'failed',
          transferred: 15,
          batches: 3,
          error: expect.objectContaining({ code: 'CONFLICT' }),
        }),
      ]);
      expect([await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)]).toEqual([15, 16]);
      expect([
        await countOf(sys, 'record_collections', source.id),
        await countOf(sys, 'record_collections', target.id),
      ]).toEqual([0, 2]);

      await sys.db('transfers')('records').where({ id: 'rec_conflicting' }).del();
      expect((await sys.api('POST', `/transfer/${job.id}/resume`, { token: root })).status).toBe(200);
      const done = await waitForJob(sys, job.id);
      expect(done).toMatchObject({ status: 'completed', error: null, totals: { transferred: 32 } });
      expect([await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)]).toEqual([0, 30]);
    });

    it('rolls back every committed batch, newest first, leaving both orgs as they were', async () => {
      const { source, target, job } = await failingBulkMove();
      const res = await sys.api('POST', `/transfer/${job.id}/rollback`, { token: root });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('rolling_back');
      const done = await waitForJob(sys, job.id);
      expect(done).toMatchObject({ status: 'rolled_back', totals: { transferred: 0, rolledBack: 17 } });
      expect(done.datatypes.map((d) => d.status)).toEqual(['rolled_back', 'rolled_back']);
      expect([await countOf(sys, 'records', source.id), await countOf(sys, 'records', target.id)]).toEqual([30, 1]);
      expect([
        await countOf(sys, 'record_collections', source.id),
        await countOf(sys, 'record_collections', target.id),
      ]).toEqual([2, 0]);
      // Moved records got their collection back.
      const orphans = await sys
        .db('transfers')('records')
        .where({ org_id: source.id })
        .whereNull('collection_id')
        .count({ n: '*' });
      expect(orphans).toEqual([{ n: 0 }]);
      expect((await sys.api('POST', `/transfer/${job.id}/rollback`, { token: root })).status).toBe(409);
    });
  });

  describe('the participant protocol', () => {
    let rpc: RpcClient;
    beforeAll(async () => {
      rpc = await signedRpcClient(sys.env, 5000);
    });
    afterAll(() => rpc.close());

    const message = (
      body: unknown,
      roles: RpcRequest['principal'] = { sub: 'test', orgId: sys.config.ROOT_ORG_ID, roles: ['System'] },
    ): RpcRequest => ({
      principal: roles,
      orgId: null,
      requestId: 'protocol-test',
      body,
    });

    it('does a retried batch once, even when the retries race, and rolls it back once', async () => {
      const [source, target] = await twoOrgs();
      await seedRecords(sys, source.id, 25, { prefix: 'pr' });
      const batch = {
        transferId: 'xfer_protocol1',
        batchId: 'xfer_protocol1.0.1',
        datatype: 'records',
        mode: 'copy',
        sourceOrgId: source.id,
        targetOrgId: target.id,
        cursor: null,
        limit: 10,
        datatypes: ['records'],
      };
      const replies = await Promise.all(
        Array.from({ length: 5 }, () => rpc.request('transfers.transfer-records.batch', message(batch))),
      );
      const data = replies.map((r) => (r.ok ? r.data : r.error)) as {
        transferred: number;
        replayed: boolean;
        cursor: string;
      }[];
      expect(data.filter((d) => !d.replayed)).toHaveLength(1);
      expect(new Set(data.map((d) => `${d.transferred}:${d.cursor}`)).size).toBe(1);
      expect(data[0].transferred).toBe(10);
      expect(await countOf(sys, 'records', target.id)).toBe(10);

      const rollback = { transferId: 'xfer_protocol1', batchId: 'xfer_protocol1.0.1', datatype: 'records' };
      const first = await rpc.request('transfers.transfer-records.rollback', message(rollback));
      const second = await rpc.request('transfers.transfer-records.rollback', message(rollback));
      expect(first).toEqual({ ok: true, data: { batchId: batch.batchId, restored: 10, replayed: false } });
      expect(second).toEqual({ ok: true, data: { batchId: batch.batchId, restored: 10, replayed: true } });
      expect(await countOf(sys, 'records', target.id)).toBe(0);
    });

    it('describes an org, refuses callers other than System and a batch id reused for another transfer', async () => {
      const [source, target] = await twoOrgs();
      await seedRecords(sys, source.id, 4, { prefix: 'pd' });
      expect(
        await rpc.request('transfers.transfer-records.describe', message({ datatype: 'records', orgId: source.id })),
      ).toEqual({
        ok: true,
        data: { datatype: 'records', orgId: source.id, count: 4 },
      });
      const operator = { sub: 'op', orgId: sys.config.ROOT_ORG_ID, roles: ['RootAdmin' as const] };
      const refused = await rpc.request(
        'transfers.transfer-records.describe',
        message({ datatype: 'records', orgId: source.id }, operator),
      );
      expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

      const batch = {
        transferId: 'xfer_protocol2',
        batchId: 'shared-id',
        datatype: 'records',
        mode: 'move',
        sourceOrgId: source.id,
        targetOrgId: target.id,
        cursor: null,
        limit: 2,
        datatypes: ['records'],
      };
      expect(await rpc.request('transfers.transfer-records.batch', message(batch))).toMatchObject({
        ok: true,
        data: { transferred: 2, done: false },
      });
      const reused = await rpc.request(
        'transfers.transfer-records.batch',
        message({ ...batch, transferId: 'xfer_protocol3' }),
      );
      expect(reused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(await countOf(sys, 'records', target.id)).toBe(2);
    });
  });

  describe('concurrent transfers touching the same org', () => {
    it('two moves out of one org take every record exactly once between them', async () => {
      const source = await sys.registerOrg();
      const [left, right] = await twoOrgs();
      const { recordIds } = await seedRecords(sys, source.id, 400, { prefix: 'cc' });
      const jobs = await Promise.all(
        [left, right].map((target) =>
          startTransfer(sys, {
            datatype: 'records',
            mode: 'move',
            sourceOrgId: source.id,
            targetOrgId: target.id,
            batchSize: 25,
          }),
        ),
      );
      const done = await Promise.all(jobs.map((j) => waitForJob(sys, j.id)));
      expect(done.map((j) => j.status)).toEqual(['completed', 'completed']);
      expect(done[0].totals.transferred + done[1].totals.transferred).toBe(400);
      const db = sys.db('transfers');
      const arrived = await db('records').whereIn('org_id', [left.id, right.id]).pluck('id');
      expect(arrived.sort()).toEqual([...recordIds].sort());
      expect(await countOf(sys, 'records', source.id)).toBe(0);
    });

    it('two moves into one org land both sets whole', async () => {
      const [first, second] = await twoOrgs();
      const target = await sys.registerOrg();
      await seedRecords(sys, first.id, 150, { prefix: 'ia' });
      await seedRecords(sys, second.id, 150, { prefix: 'ib' });
      const jobs = await Promise.all(
        [first, second].map((source) =>
          startTransfer(sys, {
            datatype: 'records',
            mode: 'move',
            sourceOrgId: source.id,
            targetOrgId: target.id,
            batchSize: 20,
          }),
        ),
      );
      const done = await Promise.all(jobs.map((j) => waitForJob(sys, j.id)));
      expect(done.map((j) => [j.status, j.totals.transferred])).toEqual([
        ['completed', 150],
        ['completed', 150],
      ]);
      expect(await countOf(sys, 'records', target.id)).toBe(300);
    });
  });
});

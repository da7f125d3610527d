import { Organization } from '@org-mgmt/contracts';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { countOf, seedRecords, startTransfer, waitForJob } from './helpers';

describe('asset transfers through the gateway', () => {
  let sys: TestSystem;
  let root: string;

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: false });
    root = await sys.rootToken();
  });
  afterAll(() => sys?.close());

  const twoOrgs = async (): Promise<[Organization, Organization]> => [await sys.registerOrg(), await sys.registerOrg()];

  it('moves every record of one datatype, keeping ids, and reports exact counts', async () => {
    const [source, target] = await twoOrgs();
    const { recordIds } = await seedRecords(sys, source.id, 120);
    const created = await startTransfer(sys, {
      datatype: 'records',
      mode: 'move',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 25,
    });
    expect(created).toMatchObject({
      status: 'queued',
      mode: 'move',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 25,
    });
    expect(created.id).toMatch(/^xfer_/);

    const job = await waitForJob(sys, created.id);
    expect(job).toMatchObject({
      status: 'completed',
      error: null,
      totals: { sourceCount: 120, transferred: 120, rolledBack: 0 },
    });
    expect(job.datatypes).toEqual([
      expect.objectContaining({
        datatype: 'records',
        status: 'completed',
        sourceCount: 120,
        transferred: 120,
        error: null,
      }),
    ]);
    expect(job.finishedAt).toEqual(expect.any(Number));
    expect(await countOf(sys, 'records', source.id)).toBe(0);
    const moved = await sys.db('transfers')('records').where({ org_id: target.id }).pluck('id');
    expect(moved.sort()).toEqual([...recordIds].sort());
    // Records moved without their collections no longer name a collection of another org.
    expect(
      await sys.db('transfers')('records').where({ org_id: target.id }).whereNotNull('collection_id').count({ n: '*' }),
    ).toEqual([{ n: 0 }]);
  });

  it('copies with new ids, remapping parent and collection references into the target org', async () => {
    const [source, target] = await twoOrgs();
    await seedRecords(sys, source.id, 57, { collections: 3 });
    const created = await startTransfer(sys, {
      datatypes: ['collections', 'records'],
      mode: 'copy',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 10,
    });
    const job = await waitForJob(sys, created.id);
    expect(job.status).toBe('completed');
    expect(job.datatypes.map((d) => [d.datatype, d.status, d.transferred])).toEqual([
      ['collections', 'completed', 3],
      ['records', 'completed', 57],
    ]);

    const db = sys.db('transfers');
    expect(await countOf(sys, 'records', source.id)).toBe(57);
    const sourceIds = new Set(await db('records').where({ org_id: source.id }).pluck('id'));
    const copies = await db('records').where({ org_id: target.id });
    const copyIds = new Set(copies.map((r) => r.id));
    const targetCollections = new Set(await db('record_collections').where({ org_id: target.id }).pluck('id'));
    expect(copies).toHaveLength(57);
    expect(copies.some((r) => sourceIds.has(r.id))).toBe(false);
    for (const copy of copies) {
      if (copy.parent_id !== null) expect(copyIds.has(copy.parent_id)).toBe(true);
      expect(targetCollections.has(copy.collection_id)).toBe(true);
    }
    expect(copies.filter((r) => r.parent_id === null)).toHaveLength(1);
    expect(copies.find((r) => r.key === 'r-5').data).toEqual({ n: 5, tags: ['a', 'b'] });
  });

  it('moves addresses to the target owner, never as its default, and emits transfer.completed', async () => {
    const [source, target] = await twoOrgs();
    const admin = await sys.token({ orgId: source.id, roles: ['ConfigAdmin'] });
    for (const [i, type] of ['billing', 'shipping', 'mailing'].entries()) {
      const res = await sys.api('POST', '/profile/addresses', {
        token: admin,
        body: { type, line1: `${i} Road`, city: 'Oslo', postalCode: '0150', country: 'NO', isDefault: true },
      });
      expect(res.status).toBe(201);
    }
    const created = await startTransfer(sys, {
      datatype: 'addresses',
      mode: 'move',
      sourceOrgId: source.id,
      targetOrgId: target.id,
      batchSize: 2,
    });
    const job = await waitForJob(sys, created.id);
    expect(job).toMatchObject({ status: 'completed', totals: { sourceCount: 3, transferred: 3 } });

    const targetAdmin = await sys.token({ orgId: target.id, roles: ['ConfigAdmin'] });
    const book = await sys.api('GET', '/profile/addresses', { token: targetAdmin });
    const owner = (await sys.api('GET', '/profile', { token: targetAdmin })).body.customer;
    expect(book.body.items).toHaveLength(3);
    expect(
      book.body.items.every(
        (a: { customerId: string; isDefault: boolean }) => a.customerId === owner.id && !a.isDefault,
      ),
    ).toBe(true);
    expect((await sys.api('GET', '/profile/addresses', { token: admin })).body.items).toEqual([]);

    const events = await sys.db('transfers')('outbox').where({ subject: 'transfer.completed' });
    const event = events.find((e) => e.envelope.data.transferId === job.id);
    expect(event.envelope).toMatchObject({
      orgId: target.id,
      data: {
        mode: 'move',
        sourceOrgId: source.id,
        targetOrgId: target.id,
        datatypes: [{ datatype: 'addresses', transferred: 3 }],
        requestedBy: 'root-operator',
      },
    });
  });

  describe('refuses bad requests before anything moves', () => {
    let source: Organization;
    let target: Organization;
    beforeAll(async () => {
      [source, target] = await twoOrgs();
      await seedRecords(sys, source.id, 5, { prefix: 'v' });
    });

    const jobCount = async () => Number((await sys.db('transfers')('transfer_jobs').count({ n: '*' }))[0].n);

    it.each([
      ['an unknown datatype', { datatype: 'invoices', mode: 'move' }, 'body.datatype'],
      ['an unknown mode', { datatype: 'records', mode: 'teleport' }, 'body.mode'],
      ['the same source and target', { datatype: 'records', mode: 'move', same: true }, 'body.targetOrgId'],
      ['a malformed org id', { datatype: 'records', mode: 'move', sourceOrgId: 'acme' }, 'body.sourceOrgId'],
      ['a batch size over the maximum', { datatype: 'records', mode: 'move', batchSize: 100000 }, 'body.batchSize'],
      ['an unknown field', { datatype: 'records', mode: 'move', force: true }, 'body'],
    ])('400 for %s', async (_name, fields, path) => {
      const before = await jobCount();
      const { same, ...rest } = fields as Record<string, unknown>;
      const body = { sourceOrgId: source.id, targetOrgId: same ? source.id : target.id, ...rest };
      const res = await sys.api('POST', '/transfer/assets', { token: root, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect(await jobCount()).toBe(before);
    });

    it('400 for a bulk request naming a datatype twice or none', async () => {
      for (const datatypes of [['records', 'records'], [], ['records', 'nope']]) {
        const res = await sys.api('POST', '/transfer/assets-bulk', {
          token: root,
          body: { datatypes, mode: 'copy', sourceOrgId: source.id, targetOrgId: target.id },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.details.fields[0].path).toMatch(/^body\.datatypes/);
      }
    });

    it('404 naming the field for an org that does not exist', async () => {
      const before = await jobCount();
      const res = await sys.api('POST', '/transfer/assets', {
        token: root,
        body: { datatype: 'records', mode: 'move', sourceOrgId: source.id, targetOrgId: 'org_missing' },
      });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', details: { fields: [{ path: 'body.targetOrgId' }] } });
      expect(await jobCount()).toBe(before);
      expect(await countOf(sys, 'records', source.id)).toBe(5);
    });

    it('422 for an inactive (cancelled or deleted) org', async () => {
      await sys.db('orgs')('organizations').where({ id: target.id }).update({ service_status: 'INACTIVE' });
      try {
        const res = await sys.api('POST', '/transfer/assets', {
          token: root,
          body: { datatype: 'records', mode: 'move', sourceOrgId: source.id, targetOrgId: target.id },
        });
        expect(res.status).toBe(422);
        expect(res.body.error).toMatchObject({
          code: 'UNPROCESSABLE',
          details: { fields: [{ path: 'body.targetOrgId' }] },
        });
      } finally {
        await sys.db('orgs')('organizations').where({ id: target.id }).update({ service_status: 'ACTIVE' });
      }
      expect(await countOf(sys, 'records', source.id)).toBe(5);
    });
  });

  describe('GET /transfer/:id and /transfer/jobs', () => {
    it('404 for an unknown job, 400 for a malformed id', async () => {
      expect((await sys.api('GET', '/transfer/xfer_unknown', { token: root })).status).toBe(404);
      const bad = await sys.api('GET', '/transfer/42', { token: root });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.fields[0].path).toBe('params.id');
      for (const action of ['cancel', 'resume', 'rollback']) {
        expect((await sys.api('POST', `/transfer/xfer_unknown/${action}`, { token: root })).status).toBe(404);
        const malformed = await sys.api('POST', `/transfer/job-1/${action}`, { token: root });
        expect([malformed.status, malformed.body.error.details.fields[0].path]).toEqual([400, 'params.id']);
      }
    });

    it('lists jobs newest first, paginated and filtered by org and status', async () => {
      const [source, target] = await twoOrgs();
      await seedRecords(sys, source.id, 3, { prefix: 'l' });
      const ids = [];
      for (const datatype of ['collections', 'records', 'addresses']) {
        const job = await startTransfer(sys, {
          datatype,
          mode: 'copy',
          sourceOrgId: source.id,
          targetOrgId: target.id,
        });
        ids.push(job.id);
        await waitForJob(sys, job.id);
      }
      const first = await sys.api('GET', `/transfer/jobs?orgId=${target.id}&limit=2`, { token: root });
      expect(first.status).toBe(200);
      expect(first.body.items.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
      const second = await sys.api('GET', `/transfer/jobs?orgId=${target.id}&limit=2&cursor=${first.body.nextCursor}`, {
        token: root,
      });
      expect(second.body).toEqual({
        items: [expect.objectContaining({ id: ids[0], status: 'completed' })],
        nextCursor: null,
      });
      const failed = await sys.api('GET', `/transfer/jobs?orgId=${source.id}&status=failed`, { token: root });
      expect(failed.body.items).toEqual([]);
      expect((await sys.api('GET', '/transfer/jobs?status=done', { token: root })).status).toBe(400);
    });
  });
});

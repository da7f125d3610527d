import { Organization } from '@org-mgmt/contracts';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';

describe('account cancel and reactivate', () => {
  let sys: TestSystem;
  let root: string;

  beforeAll(async () => {
    sys = await startTestSystem();
    root = await sys.rootToken();
  });
  afterAll(() => sys?.close());

  async function orgWithAdmin(): Promise<{ org: Organization; admin: string; member: string }> {
    const org = await sys.registerOrg();
    return {
      org,
      admin: await sys.token({ orgId: org.id, roles: ['ConfigAdmin'], sub: 'admin-1' }),
      member: await sys.token({ orgId: org.id }),
    };
  }

  async function companyOf(orgId: string): Promise<Organization> {
    return (await sys.api('GET', `/profile/${orgId}`, { token: root })).body.company;
  }

  async function statusEvents(orgId: string) {
    const rows = await sys.db('orgs')('outbox').where({ subject: 'org.status_changed' }).orderBy('seq');
    return rows.map((r) => r.envelope.data).filter((d) => d.orgId === orgId);
  }

  const cancel = (
    token: string,
    body: unknown = { reason: 'Moving to another vendor', deleteData: true },
    orgid?: string,
  ) => sys.api('POST', '/account/cancel', { token, body, orgid });
  const reactivate = (orgId: string, body: unknown = { reason: 'Customer came back' }) =>
    sys.api('PUT', '/account/reactivate', { token: root, orgid: orgId, body });

  describe('POST /account/cancel', () => {
    it('makes the org INACTIVE with cause account_cancelled and records the reason and the data-deletion request', async () => {
      const { org, admin } = await orgWithAdmin();
      const res = await cancel(admin);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        orgId: org.id,
        serviceStatus: 'INACTIVE',
        suspensionType: null,
        lastServiceStatusChanged: expect.any(Number),
        cancellation: {
          reason: 'Moving to another vendor',
          dataDeletionRequested: true,
          cancelledBy: 'admin-1',
          cancelledAt: res.body.lastServiceStatusChanged,
          reactivatedBy: null,
          reactivatedAt: null,
          reactivationReason: null,
        },
      });
      expect((await companyOf(org.id)).serviceStatusHistory!.at(-1)).toMatchObject({
        status: 'INACTIVE',
        previousStatus: 'ACTIVE',
        reason: 'Moving to another vendor',
        changedBy: 'admin-1',
        isCurrent: true,
      });
      expect(await statusEvents(org.id)).toEqual([
        expect.objectContaining({ status: 'INACTIVE', cause: 'account_cancelled', changedBy: 'admin-1' }),
      ]);
    });

    it('defaults to no data-deletion request', async () => {
      const { admin } = await orgWithAdmin();
      const res = await cancel(admin, { reason: 'Too expensive' });
      expect(res.body.cancellation.dataDeletionRequested).toBe(false);
    });

    it('stops API access except the allowlist once cancelled', async () => {
      const { admin, member } = await orgWithAdmin();
      await cancel(admin);
      const blocked = await sys.api('GET', '/profile/addresses', { token: member });
      expect(blocked.status).toBe(403);
      expect(blocked.body.error.code).toBe('ORG_INACTIVE');
      expect((await sys.api('GET', '/profile', { token: member })).status).toBe(200);
      expect((await cancel(admin)).body.error.code).toBe('ORG_INACTIVE');
    });

    it('cancels a suspended org too', async () => {
      const { org } = await orgWithAdmin();
      await sys.api('POST', '/service-status/suspend', {
        token: root,
        orgid: org.id,
        body: { suspensionType: 'MANUAL', reason: 'x' },
      });
      const res = await cancel(root, { reason: 'Operator closes the account' }, org.id);
      expect(res.status).toBe(200);
      expect((await companyOf(org.id)).serviceStatusHistory!.at(-1)).toMatchObject({
        status: 'INACTIVE',
        previousStatus: 'SUSPENDED',
      });
    });

    it('refuses to cancel an already cancelled org with 409, appending nothing', async () => {
      const { org, admin } = await orgWithAdmin();
      await cancel(admin);
      const res = await cancel(root, { reason: 'again' }, org.id);
      expect(res.status).toBe(409);
      expect(await statusEvents(org.id)).toHaveLength(1);
    });

    it.each([
      ['a missing reason', { deleteData: true }, 'body.reason'],
      ['a non-boolean deleteData', { reason: 'x', deleteData: 'yes' }, 'body.deleteData'],
      ['an over-long reason', { reason: 'x'.repeat(1001) }, 'body.reason'],
      ['an unknown field', { reason: 'x', refund: true }, 'body'],
    ])('refuses %s with 400, changing nothing', async (_case, body, path) => {
      const { org, admin } = await orgWithAdmin();
      const res = await cancel(admin, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect((await companyOf(org.id)).serviceStatus).toBe('ACTIVE');
    });
  });

  describe('PUT /account/reactivate', () => {
    it('reverses a cancellation: ACTIVE again, access restored, cause account_reactivated, no subscription re-created', async () => {
      const { org, admin, member } = await orgWithAdmin();
      await cancel(admin);
      const res = await reactivate(org.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        orgId: org.id,
        serviceStatus: 'ACTIVE',
        cancellation: {
          reason: 'Moving to another vendor',
          reactivatedBy: 'root-operator',
          reactivationReason: 'Customer came back',
          reactivatedAt: expect.any(Number),
        },
      });
      expect((await sys.api('GET', '/profile/addresses', { token: member })).status).toBe(200);
      expect((await statusEvents(org.id)).map((e) => e.cause)).toEqual(['account_cancelled', 'account_reactivated']);
      const subjects = await sys.db('orgs')('outbox').where('subject', 'like', 'subscription.%').pluck('subject');
      expect(subjects).toEqual([]);
    });

    it('can cancel and reactivate again, one open cancellation at a time', async () => {
      const { org, admin } = await orgWithAdmin();
      await cancel(admin);
      await reactivate(org.id);
      expect((await cancel(admin, { reason: 'Second time' })).status).toBe(200);
      expect((await reactivate(org.id)).body.cancellation.reason).toBe('Second time');
    });

    it.each([
      ['an ACTIVE org', async () => (await orgWithAdmin()).org.id],
      [
        'a suspended (not cancelled) org',
        async () => {
          const { org } = await orgWithAdmin();
          await sys.api('POST', '/service-status/suspend', {
            token: root,
            orgid: org.id,
            body: { suspensionType: 'MANUAL', reason: 'x' },
          });
          return org.id;
        },
      ],
      ['the root org', async () => sys.config.ROOT_ORG_ID],
    ])('refuses to reactivate %s with 409', async (_case, orgIdOf) => {
      const res = await reactivate(await orgIdOf());
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('CONFLICT');
    });

    it.each([
      ['a missing reason', {}, 'body.reason'],
      ['an unknown field', { reason: 'x', plan: 'pro' }, 'body'],
    ])('refuses %s with 400, changing nothing', async (_case, body, path) => {
      const { org, admin } = await orgWithAdmin();
      await cancel(admin);
      const res = await reactivate(org.id, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect((await companyOf(org.id)).serviceStatus).toBe('INACTIVE');
    });
  });
});

import { Organization, RpcRequest } from '@org-mgmt/contracts';
import { startTestSystem, TestSystem, signedRpcClient } from '@org-mgmt/testing';

describe('ownership transfer and primary-email change', () => {
  let sys: TestSystem;
  let root: string;

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: false });
    root = await sys.rootToken();
  });
  afterAll(() => sys?.close());

  async function profileOf(orgId: string) {
    return (await sys.api('GET', `/profile/${orgId}`, { token: root })).body;
  }
  const outboxOf = (subject: string, orgId: string) =>
    sys.db('orgs')('outbox').where({ subject }).whereRaw("envelope->>'orgId' = ?", [orgId]);

  describe('POST /transfer/ownership', () => {
    let org: Organization;
    let admin: string;
    beforeAll(async () => {
      org = await sys.registerOrg();
      admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'], sub: 'admin-1' });
    });

    it("passes the org to a new owner email, saying what becomes of the previous owner, and keeps the org's address book", async () => {
      const before = await profileOf(org.id);
      const address = await sys.api('POST', '/profile/addresses', {
        token: admin,
        body: { type: 'billing', line1: '1 Quay', city: 'Oslo', postalCode: '0150', country: 'NO', isDefault: true },
      });
      const res = await sys.api('POST', '/transfer/ownership', {
        token: admin,
        body: {
          newOwnerEmail: ' New.Owner@Example.com ',
          previousOwner: 'keep_as_admin',
          newOwner: { firstName: 'Ada', lastName: 'Lovelace' },
          reason: 'Founder left',
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        orgId: org.id,
        transferId: expect.stringMatching(/^xfer_/),
        transferredBy: 'admin-1',
        newOwner: {
          id: before.customer.id,
          email: 'new.owner@example.com',
          firstName: 'Ada',
          lastName: 'Lovelace',
          role: 'admin',
        },
        previousOwner: {
          email: before.customer.email,
          outcome: 'keep_as_admin',
          ownerSince: before.customer.createdAt,
          firstName: null,
        },
      });
      const after = await profileOf(org.id);
      expect(after.customer).toEqual(res.body.newOwner);
      expect(after.address.id).toBe(address.body.id);

      const [event] = await outboxOf('org.ownership_transferred', org.id);
      expect(event.envelope.data).toEqual({
        orgId: org.id,
        transferId: res.body.transferId,
        newOwner: { customerId: before.customer.id, email: 'new.owner@example.com', role: 'admin' },
        previousOwner: { email: before.customer.email, outcome: 'keep_as_admin' },
        changedBy: 'admin-1',
        transferredAt: res.body.transferredAt,
      });
      const audit = await sys.db('transfers')('org_change_audit').where({ id: res.body.transferId }).first();
      expect(audit).toMatchObject({ kind: 'ownership', org_id: org.id, requested_by: 'admin-1', status: 'completed' });
      expect(audit.request).toMatchObject({ previousOwner: 'keep_as_admin', reason: 'Founder left' });
    });

    it("a second transfer dates the previous owner's tenure from the first", async () => {
      const first = await sys.api('POST', '/transfer/ownership', {
        token: root,
        orgid: org.id,
        body: { newOwnerEmail: 'second@example.com', previousOwner: 'remove_from_org' },
      });
      expect(first.status).toBe(200);
      const second = await sys.api('POST', '/transfer/ownership', {
        token: root,
        orgid: org.id,
        body: { newOwnerEmail: 'third@example.com', previousOwner: 'demote_to_member' },
      });
      expect(second.body.previousOwner).toMatchObject({
        email: 'second@example.com',
        ownerSince: first.body.transferredAt,
        outcome: 'demote_to_member',
      });
      expect(await sys.db('orgs')('owner_history').where({ org_id: org.id }).count({ n: '*' })).toEqual([{ n: 3 }]);
    });

    it('409 when the email already owns the org; nothing changes and the refusal is audited', async () => {
      const owner = (await profileOf(org.id)).customer;
      const res = await sys.api('POST', '/transfer/ownership', {
        token: admin,
        body: { newOwnerEmail: owner.email, previousOwner: 'keep_as_admin' },
      });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'CONFLICT', details: { fields: [{ path: 'body.newOwnerEmail' }] } });
      expect((await profileOf(org.id)).customer).toEqual(owner);
      const refused = await sys.db('transfers')('org_change_audit').where({ org_id: org.id, status: 'rejected' });
      expect(refused).toHaveLength(1);
    });

    it.each([
      ['no previousOwner', { newOwnerEmail: 'x@example.com' }, 'body.previousOwner'],
      ['an unknown previousOwner', { newOwnerEmail: 'x@example.com', previousOwner: 'delete' }, 'body.previousOwner'],
      ['a malformed email', { newOwnerEmail: 'not-an-email', previousOwner: 'keep_as_admin' }, 'body.newOwnerEmail'],
      [
        'an unknown newOwner field',
        { newOwnerEmail: 'x@example.com', previousOwner: 'keep_as_admin', newOwner: { age: 3 } },
        'body.newOwner',
      ],
    ])('400 for %s', async (_name, body, path) => {
      const res = await sys.api('POST', '/transfer/ownership', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    });

    it('404 for an org that does not exist', async () => {
      const res = await sys.api('POST', '/transfer/ownership', {
        token: root,
        orgid: 'org_gone',
        body: { newOwnerEmail: 'x@example.com', previousOwner: 'keep_as_admin' },
      });
      expect(res.status).toBe(404);
    });

    it('the orgs RPC applies a change id once, however often it is retried', async () => {
      const rpc = await signedRpcClient(sys.env, 5000);
      try {
        const target = await sys.registerOrg();
        const message: RpcRequest = {
          principal: { sub: 'service:transfers', orgId: sys.config.ROOT_ORG_ID, roles: ['System'] },
          orgId: null,
          requestId: 'retry-test',
          body: {
            orgId: target.id,
            changeId: 'xfer_retried',
            newOwnerEmail: 'retry@example.com',
            previousOwner: 'keep_as_admin',
            changedBy: 'op',
          },
        };
        const replies = await Promise.all([1, 2, 3].map(() => rpc.request('orgs.owner.change', message)));
        expect(replies.every((r) => r.ok)).toBe(true);
        expect(replies[1]).toEqual(replies[0]);
        expect(replies[2]).toEqual(replies[0]);
        expect(new Set(replies.map((r) => JSON.stringify(r))).size).toBe(1);
        expect(await outboxOf('org.ownership_transferred', target.id)).toHaveLength(1);
        const operator = await rpc.request('orgs.owner.change', {
          ...message,
          principal: { sub: 'op', orgId: sys.config.ROOT_ORG_ID, roles: ['RootAdmin'] },
        });
        expect(operator).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      } finally {
        await rpc.close();
      }
    });
  });

  describe('POST /transfer/change-email', () => {
    let org: Organization;
    beforeAll(async () => {
      org = await sys.registerOrg();
    });

    it("changes the org's primary email without touching the owner", async () => {
      const before = await profileOf(org.id);
      const res = await sys.api('POST', '/transfer/change-email', {
        token: root,
        orgid: org.id,
        body: { email: 'Billing@Example.com' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        orgId: org.id,
        previousEmail: before.company.platformEmail,
        email: 'billing@example.com',
        changedBy: 'root-operator',
      });
      const after = await profileOf(org.id);
      expect(after.company.platformEmail).toBe('billing@example.com');
      expect(after.customer).toEqual(before.customer);
      const [event] = await outboxOf('org.email_changed', org.id);
      expect(event.envelope.data).toMatchObject({
        orgId: org.id,
        transferId: res.body.transferId,
        previousEmail: before.company.platformEmail,
        email: 'billing@example.com',
      });
      const audit = await sys.db('transfers')('org_change_audit').where({ id: res.body.transferId }).first();
      expect(audit).toMatchObject({ kind: 'primary_email', status: 'completed', requested_by: 'root-operator' });
    });

    it('409 when the email is already the primary email', async () => {
      const res = await sys.api('POST', '/transfer/change-email', {
        token: root,
        orgid: org.id,
        body: { email: 'billing@example.com' },
      });
      expect(res.status).toBe(409);
    });

    it('400 for a malformed or missing email, 404 for an unknown org', async () => {
      for (const body of [{ email: 'nope' }, {}, { email: 'a@b.co', extra: 1 }]) {
        const res = await sys.api('POST', '/transfer/change-email', { token: root, orgid: org.id, body });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
      expect(
        (await sys.api('POST', '/transfer/change-email', { token: root, orgid: 'org_gone', body: { email: 'a@b.co' } }))
          .status,
      ).toBe(404);
    });
  });
});

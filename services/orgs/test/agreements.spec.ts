import { Organization } from '@org-mgmt/contracts';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';

const AI = 'premium-ai-models';

describe('service agreements through the gateway', () => {
  let sys: TestSystem;
  let org: Organization;
  let admin: string;
  let member: string;

  beforeAll(async () => {
    sys = await startTestSystem();
    org = await sys.registerOrg();
    admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'], sub: 'user_ada', email: 'ada@example.com' });
    member = await sys.token({ orgId: org.id });
  });
  afterAll(() => sys?.close());

  async function freshOrg() {
    const other = await sys.registerOrg();
    return { org: other, admin: await sys.token({ orgId: other.id, roles: ['ConfigAdmin'], sub: 'user_grace' }) };
  }

  const accept = (token: string, serviceName: string, termsVersion: string, headers?: Record<string, string>) =>
    sys.api('POST', `/services/agreement/accept/${serviceName}`, { token, body: { termsVersion }, headers });

  async function publishTerms(serviceName: string, version: string) {
    await sys
      .db('billing')('addon_terms')
      .insert({
        service_name: serviceName,
        version,
        url: `https://legal.example.com/addons/${serviceName}/${version}`,
        summary: 'Revised terms',
        published_at: Date.now(),
      });
  }

  describe('GET /services/agreements', () => {
    it('lists every add-on with terms of its own as not accepted for a new org', async () => {
      const res = await sys.api('GET', '/services/agreements', { token: member });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        {
          serviceName: 'premium-domain',
          status: 'not_accepted',
          currentTermsVersion: '2025-11',
          acceptedTermsVersion: null,
          latest: null,
        },
        {
          serviceName: AI,
          status: 'not_accepted',
          currentTermsVersion: '2025-11',
          acceptedTermsVersion: null,
          latest: null,
        },
      ]);
    });
  });

  describe('POST /services/agreement/accept/:serviceName', () => {
    it('records who accepted which version, when, from which IP and user agent', async () => {
      const { org: o, admin: a } = await freshOrg();
      const res = await accept(a, AI, '2025-11', { 'user-agent': 'AgreementTest/1.0' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        serviceName: AI,
        status: 'accepted',
        currentTermsVersion: '2025-11',
        acceptedTermsVersion: '2025-11',
        terms: { version: '2025-11', url: expect.stringContaining('premium-ai-models/2025-11') },
      });
      expect(res.body.history).toEqual([
        {
          id: expect.stringMatching(/^agr_/),
          orgId: o.id,
          serviceName: AI,
          action: 'accepted',
          termsVersion: '2025-11',
          actor: 'user_grace',
          actorEmail: 'user@example.com',
          ip: expect.stringMatching(/127\.0\.0\.1|::1/),
          userAgent: 'AgreementTest/1.0',
          reason: null,
          recordedAt: expect.any(Number),
        },
      ]);
      const listed = await sys.api('GET', '/services/agreements', { token: a });
      expect(listed.body.items.find((i: { serviceName: string }) => i.serviceName === AI)).toMatchObject({
        status: 'accepted',
      });
    });

    it('records nothing new when the accepted version is accepted again', async () => {
      const { admin: a } = await freshOrg();
      await accept(a, AI, '2025-11');
      const again = await accept(a, AI, '2025-11');
      expect(again.status).toBe(200);
      expect(again.body.history).toHaveLength(1);
    });

    it('refuses a version that is not the current one with 409, recording nothing', async () => {
      const { admin: a } = await freshOrg();
      const res = await accept(a, AI, '2020-01');
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'CONFLICT', details: { fields: [{ path: 'body.termsVersion' }] } });
      const detail = await sys.api('GET', `/services/agreement/${AI}`, { token: a });
      expect(detail.body).toMatchObject({ status: 'not_accepted', history: [] });
    });

    it('refuses an add-on without terms of its own with 409 and an unknown one with 404', async () => {
      expect((await accept(admin, 'priority-support', '2025-11')).status).toBe(409);
      const unknown = await accept(admin, 'no-such-addon', '2025-11');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('NOT_FOUND');
    });

    it.each([
      ['no body', undefined, 'body'],
      ['an empty version', { termsVersion: '' }, 'body.termsVersion'],
      ['a number', { termsVersion: 5 }, 'body.termsVersion'],
      ['an unknown field', { termsVersion: '2025-11', extra: true }, 'body'],
    ])('refuses %s with 400', async (_name, body, path) => {
      const res = await sys.api('POST', `/services/agreement/accept/${AI}`, { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      if (path !== 'body') expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    });

    it('refuses a malformed service name with 400', async () => {
      const res = await accept(admin, 'Not_A_Name!', '2025-11');
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe('params.serviceName');
    });

    it('answers 404 to a root operator naming an org that does not exist', async () => {
      const res = await sys.api('POST', `/services/agreement/accept/${AI}`, {
        token: await sys.rootToken(),
        orgid: 'org_doesnotexist',
        body: { termsVersion: '2025-11' },
      });
      expect(res.status).toBe(404);
    });

    it('records one acceptance when the same acceptance is sent concurrently', async () => {
      const { admin: a } = await freshOrg();
      const results = await Promise.all(Array.from({ length: 20 }, () => accept(a, 'premium-domain', '2025-11')));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const detail = await sys.api('GET', '/services/agreement/premium-domain', { token: a });
      expect(detail.body.history).toHaveLength(1);
    });
  });

  describe('a new terms version', () => {
    it('makes a standing acceptance outdated until the new version is accepted', async () => {
      const { admin: a } = await freshOrg();
      await accept(a, 'premium-domain', '2025-11');
      await publishTerms('premium-domain', '2026-02');

      const outdated = await sys.api('GET', '/services/agreement/premium-domain', { token: a });
      expect(outdated.body).toMatchObject({
        status: 'outdated',
        currentTermsVersion: '2026-02',
        acceptedTermsVersion: '2025-11',
      });
      expect((await accept(a, 'premium-domain', '2025-11')).status).toBe(409);

      const renewed = await accept(a, 'premium-domain', '2026-02');
      expect(renewed.body).toMatchObject({ status: 'accepted', acceptedTermsVersion: '2026-02' });
      expect(renewed.body.history.map((r: { termsVersion: string }) => r.termsVersion)).toEqual(['2026-02', '2025-11']);
    });
  });

  describe('POST /services/agreement/revoke/:serviceName', () => {
    it('records the revocation with its reason, keeping the acceptance on record', async () => {
      const { admin: a } = await freshOrg();
      await accept(a, AI, '2025-11');
      const res = await sys.api('POST', `/services/agreement/revoke/${AI}`, {
        token: a,
        body: { reason: 'No longer needed' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'revoked', acceptedTermsVersion: null });
      expect(res.body.history.map((r: { action: string }) => r.action)).toEqual(['revoked', 'accepted']);
      expect(res.body.history[0]).toMatchObject({
        termsVersion: '2025-11',
        actor: 'user_grace',
        reason: 'No longer needed',
      });
    });

    it('takes no body at all', async () => {
      const { admin: a } = await freshOrg();
      await accept(a, AI, '2025-11');
      const res = await sys.api('POST', `/services/agreement/revoke/${AI}`, { token: a });
      expect(res.status).toBe(200);
      expect(res.body.history[0]).toMatchObject({ action: 'revoked', reason: null });
    });

    it('refuses to revoke what is not accepted with 409', async () => {
      const { admin: a } = await freshOrg();
      const res = await sys.api('POST', `/services/agreement/revoke/${AI}`, { token: a });
      expect(res.status).toBe(409);
    });

    it.each([
      ['an empty reason', { reason: '' }],
      ['an unknown field', { why: 'x' }],
      ['a reason too long', { reason: 'x'.repeat(501) }],
    ])('refuses %s with 400', async (_name, body) => {
      const res = await sys.api('POST', `/services/agreement/revoke/${AI}`, { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET /services/agreement/:serviceName', () => {
    it('shows an add-on without terms as not required', async () => {
      const res = await sys.api('GET', '/services/agreement/priority-support', { token: member });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'not_required', terms: null, history: [] });
    });

    it('answers 404 for an unknown add-on and 400 for a malformed name', async () => {
      expect((await sys.api('GET', '/services/agreement/no-such-addon', { token: member })).status).toBe(404);
      expect((await sys.api('GET', `/services/agreement/${'x'.repeat(80)}`, { token: member })).status).toBe(400);
    });
  });

  describe('the record', () => {
    it('cannot be changed or deleted, even directly in the database', async () => {
      const { org: o, admin: a } = await freshOrg();
      await accept(a, AI, '2025-11');
      const table = () => sys.db('orgs')('service_agreement_records').where({ org_id: o.id });
      await expect(table().update({ terms_version: 'forged' })).rejects.toThrow(/append-only/);
      await expect(table().delete()).rejects.toThrow(/append-only/);
      expect(await table().count({ n: '*' })).toEqual([{ n: 1 }]);
    });

    it('publishes services.agreement_accepted and services.agreement_revoked through the outbox', async () => {
      const { org: o, admin: a } = await freshOrg();
      await accept(a, AI, '2025-11');
      await sys.api('POST', `/services/agreement/revoke/${AI}`, { token: a, body: { reason: 'Audit' } });
      const rows: { subject: string; envelope: { data: Record<string, unknown> } }[] = await sys
        .db('orgs')('outbox')
        .whereRaw("envelope->>'orgId' = ?", [o.id])
        .whereIn('subject', ['services.agreement_accepted', 'services.agreement_revoked'])
        .orderBy('seq');
      expect(rows.map((r) => r.subject)).toEqual(['services.agreement_accepted', 'services.agreement_revoked']);
      expect(rows[1].envelope.data).toMatchObject({
        orgId: o.id,
        serviceName: AI,
        termsVersion: '2025-11',
        reason: 'Audit',
        actor: 'user_grace',
      });
    });
  });
});

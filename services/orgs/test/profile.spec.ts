import { Organization } from '@org-mgmt/contracts';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';

describe('organisation profile through the gateway', () => {
  let sys: TestSystem;
  let org: Organization;
  let admin: string;
  let member: string;

  beforeAll(async () => {
    sys = await startTestSystem();
    org = await sys.registerOrg('Acme Corporation');
    admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    member = await sys.token({ orgId: org.id });
  });
  afterAll(() => sys?.close());

  async function profileOf(orgId: string) {
    return (await sys.api('GET', `/profile/${orgId}`, { token: await sys.rootToken() })).body;
  }

  describe('GET /profile', () => {
    it('returns the company, its owner and no address for a new org', async () => {
      const res = await sys.api('GET', '/profile', { token: member });
      expect(res.status).toBe(200);
      expect(res.body.company).toMatchObject({
        id: org.id,
        companyName: 'Acme Corporation',
        businessVerticalId: null,
        metadata: {},
        serviceStatus: 'ACTIVE',
        platformEmail: expect.stringContaining('@example.com'),
        features: [],
      });
      expect(res.body.company.createdAt).toEqual(expect.any(Number));
      expect(res.body.company.updatedAt).toBeGreaterThanOrEqual(res.body.company.createdAt);
      expect(res.body.company.lastServiceStatusChanged).toBe(res.body.company.createdAt);
      expect(res.body.company.serviceStatusHistory).toEqual([
        expect.objectContaining({
          status: 'ACTIVE',
          previousStatus: null,
          suspensionType: null,
          isCurrent: true,
          changedBy: 'root-operator',
        }),
      ]);
      expect(res.body.customer).toMatchObject({
        orgId: org.id,
        role: 'admin',
        email: expect.stringContaining('owner-'),
      });
      expect(res.body.address).toBeNull();
    });

    it('returns the same org when named by path or by the orgid header', async () => {
      const byPath = await sys.api('GET', `/profile/${org.id}`, { token: member });
      const byHeader = await sys.api('GET', '/profile', { token: member, orgid: org.id });
      expect(byPath.status).toBe(200);
      expect(byHeader.body).toEqual(byPath.body);
    });

    it('answers 404 for an org that does not exist, to a root operator', async () => {
      const res = await sys.api('GET', '/profile/org_doesnotexist', { token: await sys.rootToken() });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });

    it('refuses a malformed org id in the path with 400', async () => {
      const res = await sys.api('GET', '/profile/not-an-org', { token: await sys.rootToken() });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe('params.orgId');
    });
  });

  describe('GET /check-org-name/:orgName', () => {
    it('says a taken name is unavailable, ignoring case and spacing', async () => {
      const res = await sys.api('GET', `/check-org-name/${encodeURIComponent('  acme   CORPORATION ')}`, {
        token: member,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ orgName: 'acme   CORPORATION', available: false });
    });

    it('says a free name is available', async () => {
      const res = await sys.api('GET', '/check-org-name/Brand%20New%20Co', { token: member });
      expect(res.body).toEqual({ orgName: 'Brand New Co', available: true });
    });

    it('refuses a one-character name with 400', async () => {
      const res = await sys.api('GET', '/check-org-name/x', { token: member });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { fields: [{ path: 'params.orgName' }] },
      });
    });
  });

  describe('POST /profile/update', () => {
    it('updates company fields and emits the new profile', async () => {
      const res = await sys.api('POST', '/profile/update', {
        token: admin,
        body: {
          companyName: 'Acme Corp',
          displayName: 'Acme',
          businessVerticalId: 'technology',
          interests: ['automation', 'analytics'],
          metadata: { industry: 'SaaS', employeeCount: 150 },
          platformEmail: 'Admin@Acme.com',
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.company).toMatchObject({
        companyName: 'Acme Corp',
        displayName: 'Acme',
        businessVerticalId: 'technology',
        interests: ['automation', 'analytics'],
        metadata: { industry: 'SaaS', employeeCount: 150 },
        platformEmail: 'admin@acme.com',
      });
      expect(res.body.company.updatedAt).toBeGreaterThanOrEqual(org.updatedAt);
    });

    it('writes org.updated to the outbox with the changed fields', async () => {
      await sys.api('POST', '/profile/update', { token: admin, body: { displayName: 'Acme Two' } });
      const rows = await sys.db('orgs')('outbox').where({ subject: 'org.updated' }).orderBy('seq', 'desc').limit(1);
      expect(rows[0].envelope).toMatchObject({
        type: 'org.updated',
        orgId: org.id,
        data: { orgId: org.id, changed: ['displayName'] },
      });
    });

    it('lets a root operator grant and remove feature flags', async () => {
      const root = await sys.rootToken();
      let res = await sys.api('POST', '/profile/update', {
        token: root,
        orgid: org.id,
        body: { features: { automation: true, beta: true } },
      });
      expect(res.status).toBe(200);
      expect(res.body.company.features).toEqual(['automation', 'beta']);
      res = await sys.api('POST', '/profile/update', {
        token: root,
        orgid: org.id,
        body: { features: { beta: null, automation: false } },
      });
      expect(res.body.company.featureOverrides).toEqual({ automation: false });
      expect(res.body.company.features).toEqual([]);
    });

    it('refuses feature flags from a ConfigAdmin with 403 and changes nothing', async () => {
      const before = await profileOf(org.id);
      const res = await sys.api('POST', '/profile/update', {
        token: admin,
        body: { features: { automation: true }, displayName: 'X' },
      });
      expect(res.status).toBe(403);
      expect(await profileOf(org.id)).toEqual(before);
    });

    it('refuses a company name another org uses with 409', async () => {
      const other = await sys.registerOrg('Globex');
      const res = await sys.api('POST', '/profile/update', { token: admin, body: { companyName: ' GLOBEX ' } });
      expect(res.status).toBe(409);
      expect(other.companyName).toBe('Globex');
    });

    const invalidBodies: [string, unknown, string][] = [
      ['a too-short companyName', { companyName: 'A' }, 'body.companyName'],
      ['an unknown field', { companyName: 'Fine Name', colour: 'red' }, 'body'],
      ['a wrong field type', { interests: 'automation' }, 'body.interests'],
      ['an unknown business vertical', { businessVerticalId: 'piracy' }, 'body.businessVerticalId'],
      ['a malformed platform email', { platformEmail: 'not-an-email' }, 'body.platformEmail'],
      ['an empty body', {}, 'body'],
      ['metadata with a nested object', { metadata: { nested: { a: 1 } } }, 'body.metadata.nested'],
    ];
    it.each(invalidBodies)('refuses %s with 400 naming the field, changing nothing', async (_case, body, path) => {
      const before = await profileOf(org.id);
      const res = await sys.api('POST', '/profile/update', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect(await profileOf(org.id)).toEqual(before);
    });

    it('refuses malformed JSON with 400 in the error envelope', async () => {
      const res = await sys.api('POST', '/profile/update', { token: admin, rawBody: '{"companyName": "Acme",' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MALFORMED_REQUEST');
    });

    it('refuses a body over the size limit with 413', async () => {
      const res = await sys.api('POST', '/profile/update', {
        token: admin,
        body: { displayName: 'x'.repeat(200_000) },
      });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('PUT /profile/customer', () => {
    it("updates the owner's personal profile", async () => {
      const res = await sys.api('PUT', '/profile/customer', {
        token: admin,
        body: { firstName: 'Ada', lastName: 'Lovelace', phone: '+44 20 7946 0000', jobTitle: 'CTO' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        firstName: 'Ada',
        lastName: 'Lovelace',
        phone: '+44 20 7946 0000',
        jobTitle: 'CTO',
        role: 'admin',
      });
      expect((await profileOf(org.id)).customer.firstName).toBe('Ada');
    });

    it.each([
      ['an email change (not modifiable here)', { email: 'new@acme.com' }],
      ['a malformed phone', { phone: 'call me' }],
      ['an empty body', {}],
      ['a number as a name', { firstName: 42 }],
    ])('refuses %s with 400', async (_case, body) => {
      const before = await profileOf(org.id);
      const res = await sys.api('PUT', '/profile/customer', { token: admin, body });
      expect(res.status).toBe(400);
      expect(await profileOf(org.id)).toEqual(before);
    });
  });

  describe('addresses', () => {
    const billing = {
      type: 'billing',
      line1: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
      isDefault: true,
    };

    it('adds addresses and lists them newest first with a cursor', async () => {
      for (const line1 of ['1 Main St', '2 Main St', '3 Main St']) {
        const res = await sys.api('POST', '/profile/addresses', { token: admin, body: { ...billing, line1 } });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          line1,
          orgId: org.id,
          line2: null,
          region: null,
          id: expect.stringMatching(/^adr_/),
        });
      }
      const first = await sys.api('GET', '/profile/addresses?limit=2', { token: member });
      expect(first.status).toBe(200);
      expect(first.body.items.map((a: { line1: string }) => a.line1)).toEqual(['3 Main St', '2 Main St']);
      const second = await sys.api('GET', `/profile/addresses?limit=2&cursor=${first.body.nextCursor}`, {
        token: member,
      });
      expect(second.body.items.map((a: { line1: string }) => a.line1)).toEqual(['1 Main St']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('keeps one default per type and shows it on the profile', async () => {
      const listed = await sys.api('GET', '/profile/addresses?type=billing&limit=100', { token: member });
      expect(listed.body.items.filter((a: { isDefault: boolean }) => a.isDefault)).toHaveLength(1);
      expect((await profileOf(org.id)).address).toMatchObject({ line1: '3 Main St', isDefault: true });
    });

    it.each([
      ['a missing city', { ...billing, city: undefined }, 'body.city'],
      ['a lower-case country', { ...billing, country: 'us' }, 'body.country'],
      ['an unknown type', { ...billing, type: 'holiday' }, 'body.type'],
      ['an unknown field', { ...billing, floor: 3 }, 'body'],
    ])('refuses %s with 400, adding nothing', async (_case, body, path) => {
      const before = await sys.db('orgs')('addresses').where({ org_id: org.id }).count<{ count: string }[]>();
      const res = await sys.api('POST', '/profile/addresses', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect(await sys.db('orgs')('addresses').where({ org_id: org.id }).count()).toEqual(before);
    });

    it.each([
      ['a page size over the maximum', 'limit=1000'],
      ['a non-numeric page size', 'limit=ten'],
      ['an unknown query parameter', 'sort=asc'],
      ['a forged cursor', 'cursor=not-a-cursor'],
    ])('refuses %s with 400', async (_case, query) => {
      const res = await sys.api('GET', `/profile/addresses?${query}`, { token: member });
      expect(res.status).toBe(400);
    });
  });
});

import { Organization } from '@org-mgmt/contracts';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';

describe('add-on catalogue through the gateway', () => {
  let sys: TestSystem;
  let org: Organization;
  let member: string;

  beforeAll(async () => {
    sys = await startTestSystem();
    org = await sys.registerOrg();
    member = await sys.token({ orgId: org.id });
  });
  afterAll(() => sys?.close());

  describe('GET /services/available', () => {
    it('lists every add-on with its price in minor units, billing mode and whether it needs an agreement', async () => {
      const res = await sys.api('GET', '/services/available', { token: member });
      expect(res.status).toBe(200);
      expect(res.body.items.map((a: { serviceName: string }) => a.serviceName)).toEqual([
        'priority-support',
        'dedicated-success-manager',
        'extra-storage-100gb',
        'premium-domain',
        'premium-ai-models',
      ]);
      expect(res.body.items[4]).toEqual({
        serviceName: 'premium-ai-models',
        name: 'Premium AI models',
        description: expect.any(String),
        category: 'ai',
        billingMode: 'recurring',
        price: { amount: 9900, currency: 'USD', interval: 'month' },
        requiresAgreement: true,
        termsVersion: '2025-11',
      });
      expect(res.body.items[3]).toMatchObject({
        billingMode: 'one-off',
        price: { amount: 2500, interval: null },
        requiresAgreement: true,
      });
      expect(res.body.items[0]).toMatchObject({ requiresAgreement: false, termsVersion: null });
    });

    it('filters by category', async () => {
      const res = await sys.api('GET', '/services/available?category=support', { token: member });
      expect(res.body.items.map((a: { serviceName: string }) => a.serviceName)).toEqual([
        'priority-support',
        'dedicated-success-manager',
      ]);
    });

    it.each([
      ['an unknown category', 'category=toys', 'query.category'],
      ['an unknown parameter', 'sort=price', 'query'],
    ])('refuses %s with 400', async (_name, query, path) => {
      const res = await sys.api('GET', `/services/available?${query}`, { token: member });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].path).toBe(path);
    });
  });

  describe('GET /services/pricing/:serviceName', () => {
    it('returns the current rates and terms', async () => {
      const res = await sys.api('GET', '/services/pricing/premium-ai-models', { token: member });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        serviceName: 'premium-ai-models',
        price: { amount: 9900, currency: 'USD', interval: 'month' },
        termsVersion: '2025-11',
        terms: {
          version: '2025-11',
          url: 'https://legal.example.com/addons/premium-ai-models/2025-11',
          summary: expect.any(String),
          publishedAt: expect.any(Number),
        },
      });
    });

    it('shows an add-on without terms of its own with none', async () => {
      const res = await sys.api('GET', '/services/pricing/extra-storage-100gb', { token: member });
      expect(res.body).toMatchObject({
        category: 'storage',
        price: { amount: 1500 },
        requiresAgreement: false,
        terms: null,
      });
    });

    it('answers 404 for an unknown add-on and 400 for a malformed name', async () => {
      const unknown = await sys.api('GET', '/services/pricing/no-such-addon', { token: member });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('NOT_FOUND');
      const malformed = await sys.api('GET', '/services/pricing/NO%20SUCH', { token: member });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.details.fields[0].path).toBe('params.serviceName');
    });
  });
});

import { BillingEndpoints, EndpointDef, Organization } from '@org-mgmt/contracts';
import {
  callerToken,
  CALLERS,
  expectedOutcome,
  Scope,
  startTestSystem,
  statusMatches,
  TestSystem,
} from '@org-mgmt/testing';

interface Sample {
  def: EndpointDef;
  /** The request acting on `orgId` (named by the orgid header, or by a body field where the endpoint takes one). */
  request: (orgId: string) => Promise<{ path: string; body?: unknown; byBody?: boolean; rawBody?: string }>;
  /** Public endpoints answer a business outcome (404, 400) for requests no caller could satisfy. */
  exactStatus?: boolean;
}

/**
 * Generated from the matrix: every billing endpoint of this issue × every kind of caller × own org /
 * another org. The add-on endpoints (`/services/*`) have their own issue.
 */
describe('billing endpoints enforce the permission matrix', () => {
  let sys: TestSystem;
  let customerOrg: Organization;
  let otherOrg: Organization;

  beforeAll(async () => {
    sys = await startTestSystem();
    customerOrg = await sys.registerOrg();
    otherOrg = await sys.registerOrg();
  });
  afterAll(() => sys?.close());

  /** A sandbox purchase of the org, ready to complete. */
  async function purchaseOf(orgId: string) {
    const res = await sys.api('POST', '/billing/buy-credits', {
      token: await sys.rootToken(),
      orgid: orgId,
      body: { amount: 100, currency: 'USD', paymentMethodId: 'pm_card_visa' },
    });
    return { paymentIntentId: res.body.paymentIntentId, transactionId: res.body.transactionId };
  }

  const grant = { amount: 10, currency: 'USD', reason: 'Promotion' };
  const SAMPLES: Sample[] = [
    { def: BillingEndpoints.balance, request: async () => ({ path: '/billing/balance' }), exactStatus: true },
    { def: BillingEndpoints.transactions, request: async () => ({ path: '/billing/transactions' }), exactStatus: true },
    {
      def: BillingEndpoints.buyCredits,
      request: async () => ({
        path: '/billing/buy-credits',
        body: { amount: 100, currency: 'USD', paymentMethodId: 'pm_card_visa' },
      }),
      exactStatus: true,
    },
    {
      def: BillingEndpoints.completePayment,
      request: async (orgId) => ({ path: '/billing/complete-payment', body: await purchaseOf(orgId) }),
    },
    {
      def: BillingEndpoints.giftCredits,
      request: async (orgId) => ({ path: '/billing/gift-credits', body: { orgId, ...grant }, byBody: true }),
      exactStatus: true,
    },
    {
      def: BillingEndpoints.addCredit,
      request: async (orgId) => ({ path: '/billing/add-credit', body: { orgId, ...grant }, byBody: true }),
      exactStatus: true,
    },
    {
      def: BillingEndpoints.stripeWebhook,
      request: async () => ({ path: '/billing/webhooks/stripe', rawBody: '{"id":"evt_1","type":"ping"}' }),
    },
  ];

  const cases = SAMPLES.flatMap((sample) =>
    CALLERS.flatMap((caller) =>
      (['own', 'other'] as Scope[]).map((scope) => ({
        name: `${sample.def.method} ${sample.def.path} by ${caller} on ${scope} org`,
        sample,
        caller,
        scope,
      })),
    ),
  );

  it.each(cases)('$name', async ({ sample, caller, scope }) => {
    const { token, ownOrg } = await callerToken(sys, caller, customerOrg.id);
    const target = scope === 'own' ? ownOrg : otherOrg.id;
    const { path, body, byBody, rawBody } = await sample.request(target);
    const res = await sys.api(sample.def.method, path, {
      token,
      body,
      rawBody,
      orgid: byBody || scope === 'own' ? undefined : target,
    });
    const expected = expectedOutcome(sample.def.access, caller, scope);
    if (sample.exactStatus) {
      const expectedStatus = { allowed: sample.def.successStatus ?? 200, unauthenticated: 401, forbidden: 403 }[
        expected
      ];
      expect({ status: res.status, body: res.body }).toEqual({ status: expectedStatus, body: expect.anything() });
    } else {
      expect({ matches: statusMatches(expected, res.status), status: res.status }).toEqual({
        matches: true,
        status: res.status,
      });
    }
    if (expected !== 'allowed')
      expect(res.body.error.code).toBe(expected === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  });

  it('lets anyone holding a purchase complete it without a token (it is verified with the gateway)', async () => {
    const purchase = await purchaseOf(customerOrg.id);
    const res = await sys.api('POST', '/billing/complete-payment', { body: purchase });
    expect(res.status).toBe(200);
  });
});

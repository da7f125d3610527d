import { EndpointDef, Organization, SubscriptionEndpoints as E } from '@org-mgmt/contracts';
import { callerToken, CALLERS, expectedOutcome, Scope, startTestSystem, TestSystem } from '@org-mgmt/testing';

interface Sample {
  def: EndpointDef;
  /** Puts the target org in the state where the request succeeds (run as a root operator). */
  prepare?: (orgId: string) => Promise<void>;
  request: () => { body?: unknown };
}

/**
 * Generated from the matrix: every subscription endpoint × every kind of caller × own org / another
 * org (named by the orgid header). Each case first puts the target org in a state where an allowed
 * caller's request succeeds, so "allowed" is checked as the endpoint's success status.
 */
describe('subscription endpoints enforce the permission matrix', () => {
  let sys: TestSystem;
  let customerOrg: Organization;
  let otherOrg: Organization;
  let completed: { paymentId: string; paymentIntentId: string };

  async function asRoot(path: string, orgId: string, body: unknown) {
    return sys.api('POST', path, { token: await sys.rootToken(), orgid: orgId, body });
  }
  const live = (plan: string) => async (orgId: string) => {
    const res = await asRoot('/subscription/admin/update', orgId, {
      plan,
      interval: 'month',
      priceAmount: 0,
      status: 'active',
      reason: 'permission test setup',
    });
    expect(res.status).toBe(200);
  };
  const none = async (orgId: string) => {
    await asRoot('/subscription/admin/update', orgId, { status: 'cancelled', reason: 'permission test setup' });
  };

  const SAMPLES: Sample[] = [
    { def: E.plans, request: () => ({}) },
    { def: E.current, prepare: live('pro'), request: () => ({}) },
    { def: E.create, prepare: none, request: () => ({ body: { plan: 'free' } }) },
    {
      def: E.upgrade,
      prepare: live('free'),
      request: () => ({ body: { plan: 'basic', payment: { method: 'credits' } } }),
    },
    { def: E.downgrade, prepare: live('pro'), request: () => ({ body: { plan: 'basic' } }) },
    { def: E.cancel, prepare: live('pro'), request: () => ({ body: { reason: 'testing' } }) },
    {
      def: E.adminUpdate,
      prepare: live('pro'),
      request: () => ({ body: { features: { beta: true }, reason: 'permission test' } }),
    },
    { def: E.completePayment, request: () => ({ body: { ...completed, gateway: 'sandbox' } }) },
    {
      def: E.completeCheckout,
      request: () => ({
        body: { paymentId: completed.paymentId, checkoutSessionId: completed.paymentIntentId, gateway: 'sandbox' },
      }),
    },
  ];

  beforeAll(async () => {
    sys = await startTestSystem({ env: { SUBSCRIPTION_WORKER_INTERVAL_MS: '0' } });
    customerOrg = await sys.registerOrg();
    otherOrg = await sys.registerOrg();
    for (const orgId of [customerOrg.id, otherOrg.id, sys.config.ROOT_ORG_ID]) {
      const res = await sys.api('POST', '/billing/gift-credits', {
        token: await sys.rootToken(),
        body: { orgId, amount: 1_000_000, currency: 'USD', reason: 'permission tests' },
      });
      expect(res.status).toBeLessThan(300);
    }
    const paid = await sys.registerOrg();
    const res = await asRoot('/subscription/create', paid.id, {
      plan: 'pro',
      payment: { method: 'card', gateway: 'sandbox', paymentMethodId: 'pm_card_visa' },
    });
    expect(res.body.subscription).toMatchObject({ plan: 'pro' });
    const [row] = await sys.db('subscriptions')('subscription_payments').where({ org_id: paid.id });
    completed = { paymentId: row.id, paymentIntentId: row.gateway_payment_id };
  });
  afterAll(() => sys?.close());

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
    await sample.prepare?.(target);
    const res = await sys.api(sample.def.method, sample.def.path, {
      token,
      body: sample.request().body,
      orgid: scope === 'own' ? undefined : target,
    });
    const expected = expectedOutcome(sample.def.access, caller, scope);
    const expectedStatus = { allowed: sample.def.successStatus ?? 200, unauthenticated: 401, forbidden: 403 }[expected];
    expect({ status: res.status, body: res.body }).toEqual({ status: expectedStatus, body: expect.anything() });
    if (expected !== 'allowed')
      expect(res.body.error.code).toBe(expected === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  });
});

import { BillingEndpoints, EndpointDef, Organization, OrgsEndpoints } from '@org-mgmt/contracts';
import { RpcClient } from '@org-mgmt/runtime';
import {
  CALLER_FACTS,
  callerToken,
  CALLERS,
  expectedOutcome,
  Scope,
  startTestSystem,
  TestSystem,
  signedRpcClient,
} from '@org-mgmt/testing';

interface Sample {
  def: EndpointDef;
  /** Path and body of a valid request, given what `prepare` made. */
  request: (prepared: string) => { path: string; body?: unknown };
  /** Puts the target org in a state where the request can succeed (as a root operator). */
  prepare?: (sys: TestSystem, orgId: string) => Promise<string>;
}

const AI = 'premium-ai-models';

const CARD = { serviceName: 'priority-support', paymentSource: 'gateway', paymentMethodId: 'pm_card_visa' };

async function asOperator(
  sys: TestSystem,
  orgId: string,
  path: string,
  body: unknown,
): Promise<{ purchase?: { id: string } }> {
  const res = await sys.api('POST', path, { token: await sys.rootToken(), orgid: orgId, body });
  if (res.status >= 300) throw new Error(`${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function acceptAsOperator(sys: TestSystem, orgId: string): Promise<string> {
  await asOperator(sys, orgId, `/services/agreement/accept/${AI}`, { termsVersion: '2025-11' });
  return '';
}

async function purchaseAsOperator(sys: TestSystem, orgId: string): Promise<string> {
  return (await asOperator(sys, orgId, '/services/purchase', CARD)).purchase!.id;
}

const SAMPLES: Sample[] = [
  { def: BillingEndpoints.servicesAvailable, request: () => ({ path: '/services/available?category=ai' }) },
  { def: BillingEndpoints.servicesPricing, request: () => ({ path: `/services/pricing/${AI}` }) },
  { def: OrgsEndpoints.agreementsList, request: () => ({ path: '/services/agreements' }) },
  { def: OrgsEndpoints.agreementGet, request: () => ({ path: `/services/agreement/${AI}` }) },
  {
    def: OrgsEndpoints.agreementAccept,
    request: () => ({ path: `/services/agreement/accept/${AI}`, body: { termsVersion: '2025-11' } }),
  },
  { def: BillingEndpoints.servicesPurchase, request: () => ({ path: '/services/purchase', body: CARD }) },
  {
    def: BillingEndpoints.servicesCompletePayment,
    request: (purchaseId) => ({ path: '/services/complete-payment', body: { purchaseId } }),
    prepare: purchaseAsOperator,
  },
  { def: BillingEndpoints.servicesPurchased, request: () => ({ path: '/services/purchased?status=active' }) },
  {
    def: OrgsEndpoints.agreementRevoke,
    request: () => ({ path: `/services/agreement/revoke/${AI}` }),
    prepare: acceptAsOperator,
  },
];

/**
 * Generated from the matrix: every add-on and agreement endpoint × every kind of caller × own org /
 * another org (named by the orgid header).
 */
describe('add-on and agreement endpoints enforce the permission matrix', () => {
  let sys: TestSystem;
  let customerOrg: Organization;

  beforeAll(async () => {
    sys = await startTestSystem();
    customerOrg = await sys.registerOrg();
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
    const target = scope === 'own' ? ownOrg : (await sys.registerOrg()).id;
    const expected = expectedOutcome(sample.def.access, caller, scope);
    const prepared = expected === 'allowed' && sample.prepare ? await sample.prepare(sys, target) : 'pur_unprepared';
    const { path, body } = sample.request(prepared);
    const res = await sys.api(sample.def.method, path, { token, body, orgid: scope === 'own' ? undefined : target });
    const expectedStatus = { allowed: sample.def.successStatus ?? 200, unauthenticated: 401, forbidden: 403 }[expected];
    expect({ status: res.status, body: res.body }).toEqual({ status: expectedStatus, body: expect.anything() });
    if (expected !== 'allowed')
      expect(res.body.error.code).toBe(expected === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  });
});

/** The two internal endpoints are reached over NATS only, and there only by System principals of the root org. */
describe('internal add-on and agreement endpoints', () => {
  let sys: TestSystem;
  let rpc: RpcClient;
  let customerOrg: Organization;

  beforeAll(async () => {
    sys = await startTestSystem();
    rpc = await signedRpcClient(sys.env, 5000);
    customerOrg = await sys.registerOrg();
  });
  afterAll(async () => {
    await rpc?.close();
    await sys?.close();
  });

  const INTERNAL = [
    { def: BillingEndpoints.addonTerms, body: { serviceNames: [AI] } },
    { def: OrgsEndpoints.agreementStatus, body: { serviceNames: [AI] } },
  ];

  it.each(INTERNAL)('$def.pattern has no HTTP route', async ({ def }) => {
    const res = await sys.api(def.method, def.path, {
      token: await sys.rootToken(),
      body: def.method === 'GET' ? undefined : {},
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it.each(INTERNAL.flatMap((e) => CALLERS.filter((c) => c !== 'none').map((caller) => ({ ...e, caller }))))(
    '$def.pattern over NATS by $caller',
    async ({ def, body, caller }) => {
      const facts = CALLER_FACTS[caller];
      const principal = {
        sub: `user-${caller}`,
        orgId: facts.inRootOrg ? sys.config.ROOT_ORG_ID : customerOrg.id,
        roles: facts.roles,
      };
      const result = await rpc.request(def.pattern, {
        principal,
        orgId: customerOrg.id,
        requestId: `perm-${caller}`,
        body,
      });
      if (caller === 'System')
        expect(result).toEqual({ ok: true, data: { items: [expect.objectContaining({ serviceName: AI })] } });
      else expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    },
  );
});

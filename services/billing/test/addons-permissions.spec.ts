import { BillingEndpoints, EndpointDef, Organization, OrgsEndpoints } from '@org-mgmt/contracts';
import { callerToken, CALLERS, expectedOutcome, Scope, startTestSystem, TestSystem } from '@org-mgmt/testing';

interface Sample {
  def: EndpointDef;
  /** Path and body of a valid request. */
  request: () => { path: string; body?: unknown };
  /** Puts the target org in a state where the request can succeed (as a root operator). */
  prepare?: (sys: TestSystem, orgId: string) => Promise<void>;
}

const AI = 'premium-ai-models';

async function acceptAsOperator(sys: TestSystem, orgId: string): Promise<void> {
  const res = await sys.api('POST', `/services/agreement/accept/${AI}`, { token: await sys.rootToken(), orgid: orgId, body: { termsVersion: '2025-11' } });
  if (res.status !== 200) throw new Error(`accept failed: ${res.status}`);
}

const SAMPLES: Sample[] = [
  { def: BillingEndpoints.servicesAvailable, request: () => ({ path: '/services/available?category=ai' }) },
  { def: BillingEndpoints.servicesPricing, request: () => ({ path: `/services/pricing/${AI}` }) },
  { def: OrgsEndpoints.agreementsList, request: () => ({ path: '/services/agreements' }) },
  { def: OrgsEndpoints.agreementGet, request: () => ({ path: `/services/agreement/${AI}` }) },
  { def: OrgsEndpoints.agreementAccept, request: () => ({ path: `/services/agreement/accept/${AI}`, body: { termsVersion: '2025-11' } }) },
  { def: OrgsEndpoints.agreementRevoke, request: () => ({ path: `/services/agreement/revoke/${AI}` }), prepare: acceptAsOperator },
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
      (['own', 'other'] as Scope[]).map((scope) => ({ name: `${sample.def.method} ${sample.def.path} by ${caller} on ${scope} org`, sample, caller, scope })),
    ),
  );

  it.each(cases)('$name', async ({ sample, caller, scope }) => {
    const { token, ownOrg } = await callerToken(sys, caller, customerOrg.id);
    const target = scope === 'own' ? ownOrg : (await sys.registerOrg()).id;
    const expected = expectedOutcome(sample.def.access, caller, scope);
    if (expected === 'allowed') await sample.prepare?.(sys, target);
    const { path, body } = sample.request();
    const res = await sys.api(sample.def.method, path, { token, body, orgid: scope === 'own' ? undefined : target });
    const expectedStatus = { allowed: sample.def.successStatus ?? 200, unauthenticated: 401, forbidden: 403 }[expected];
    expect({ status: res.status, body: res.body }).toEqual({ status: expectedStatus, body: expect.anything() });
    if (expected !== 'allowed') expect(res.body.error.code).toBe(expected === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  });
});

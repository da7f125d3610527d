import { EndpointDef, OrgsEndpoints } from '@org-mgmt/contracts';
import { randomBytes } from 'node:crypto';
import {
  Caller,
  CALLER_FACTS,
  CALLERS,
  expectedOutcome,
  Scope,
  startTestSystem,
  statusMatches,
  TestSystem,
} from '@org-mgmt/testing';

interface Sample {
  def: EndpointDef;
  /** Path and body of a valid request on `orgId`; `names` says how the org is named (default: the orgid header). */
  request: (orgId: string) => { path: string; body?: unknown; names?: 'header' | 'path' | 'body' };
}

const SAMPLES: Sample[] = [
  {
    def: OrgsEndpoints.statusSuspend,
    request: () => ({ path: '/service-status/suspend', body: { suspensionType: 'MANUAL', reason: 'r' } }),
  },
  { def: OrgsEndpoints.statusLift, request: () => ({ path: '/service-status/lift', body: { reason: 'r' } }) },
  { def: OrgsEndpoints.accountCancel, request: () => ({ path: '/account/cancel', body: { reason: 'r' } }) },
  { def: OrgsEndpoints.accountReactivate, request: () => ({ path: '/account/reactivate', body: { reason: 'r' } }) },
  { def: OrgsEndpoints.signupCreate, request: () => ({ path: '/pre-approved-signups', body: { kind: 'code' } }) },
  {
    def: OrgsEndpoints.signupRemove,
    request: () => ({ path: '/pre-approved-signups/remove', body: { id: 'sgn_unknown' } }),
  },
  { def: OrgsEndpoints.signupList, request: () => ({ path: '/pre-approved-signups' }) },
  {
    def: OrgsEndpoints.signupValidate,
    request: () => ({ path: '/pre-approved-signups/validate', body: { code: 'AAAA-BBBB-CCCC' } }),
  },
  {
    def: OrgsEndpoints.orgDelete,
    request: (orgId) => ({ path: '/delete', body: { orgId, reason: 'r' }, names: 'body' }),
  },
  { def: OrgsEndpoints.teardownGet, request: (orgId) => ({ path: `/delete/${orgId}`, names: 'path' }) },
  {
    def: OrgsEndpoints.orgRegister,
    request: () => ({
      path: '/org-register',
      body: {
        companyName: `Co ${randomBytes(4).toString('hex')}`,
        ownerEmail: 'o@example.com',
        plan: { planId: 'free' },
      },
    }),
  },
];

/**
 * Generated from the matrix: every lifecycle endpoint × every kind of caller × own org / another org.
 * Each case works on orgs of its own, since an allowed call may suspend, cancel or delete them.
 * "Allowed" means neither 401 nor 403 (a 409 for a transition that does not apply still got past authorisation).
 */
describe('lifecycle endpoints enforce the permission matrix', () => {
  let sys: TestSystem;

  beforeAll(async () => {
    sys = await startTestSystem();
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

  async function callerToken(caller: Caller, customerOrgId: string): Promise<{ token?: string; ownOrg: string }> {
    if (caller === 'none') return { ownOrg: customerOrgId };
    const facts = CALLER_FACTS[caller];
    const ownOrg = facts.inRootOrg ? sys.config.ROOT_ORG_ID : customerOrgId;
    return { token: await sys.token({ orgId: ownOrg, roles: facts.roles, sub: `user-${caller}` }), ownOrg };
  }

  it.each(cases)('$name', async ({ sample, caller, scope }) => {
    const [customerOrg, otherOrg] = await Promise.all([sys.registerOrg(), sys.registerOrg()]);
    const { token, ownOrg } = await callerToken(caller, customerOrg.id);
    const target = scope === 'own' ? ownOrg : otherOrg.id;
    const { path, body, names = 'header' } = sample.request(target);
    const res = await sys.api(sample.def.method, path, {
      token,
      body,
      orgid: names === 'header' && scope === 'other' ? target : undefined,
    });
    const expected = expectedOutcome(sample.def.access, caller, scope);
    expect({ expected, status: res.status, matches: statusMatches(expected, res.status) }).toEqual({
      expected,
      status: res.status,
      matches: true,
    });
    if (expected !== 'allowed')
      expect(res.body.error.code).toBe(expected === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  });
});

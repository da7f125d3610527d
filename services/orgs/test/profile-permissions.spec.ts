import { EndpointDef, Organization, OrgsEndpoints } from '@org-mgmt/contracts';
import { callerToken, CALLERS, expectedOutcome, Scope, startTestSystem, TestSystem } from '@org-mgmt/testing';

interface Sample {
  def: EndpointDef;
  /** Path and body of a valid request; `orgId` is the org acted on. */
  request: (orgId: string) => { path: string; body?: unknown; byPath?: boolean };
}

const SAMPLES: Sample[] = [
  { def: OrgsEndpoints.checkOrgName, request: () => ({ path: '/check-org-name/Some%20Name' }) },
  { def: OrgsEndpoints.profileGet, request: () => ({ path: '/profile' }) },
  { def: OrgsEndpoints.profileGet, request: (orgId) => ({ path: `/profile/${orgId}`, byPath: true }) },
  { def: OrgsEndpoints.profileUpdate, request: () => ({ path: '/profile/update', body: { displayName: 'Renamed' } }) },
  { def: OrgsEndpoints.customerUpdate, request: () => ({ path: '/profile/customer', body: { firstName: 'Grace' } }) },
  { def: OrgsEndpoints.addressesList, request: () => ({ path: '/profile/addresses' }) },
  {
    def: OrgsEndpoints.addressesCreate,
    request: () => ({
      path: '/profile/addresses',
      body: { type: 'mailing', line1: '1 Way', city: 'Oslo', postalCode: '0150', country: 'NO' },
    }),
  },
];

/**
 * Generated from the matrix: every profile endpoint × every kind of caller × own org / another org
 * (named by the orgid header, or by the path where the endpoint takes one).
 */
describe('profile endpoints enforce the permission matrix', () => {
  let sys: TestSystem;
  let customerOrg: Organization;
  let otherOrg: Organization;

  beforeAll(async () => {
    sys = await startTestSystem();
    customerOrg = await sys.registerOrg();
    otherOrg = await sys.registerOrg();
  });
  afterAll(() => sys?.close());

  const cases = SAMPLES.flatMap((sample) =>
    CALLERS.flatMap((caller) =>
      (['own', 'other'] as Scope[]).map((scope) => ({
        name: `${sample.def.method} ${sample.request('org_x').path.replace('org_x', ':orgId')} by ${caller} on ${scope} org`,
        sample,
        caller,
        scope,
      })),
    ),
  );

  it.each(cases)('$name', async ({ sample, caller, scope }) => {
    const { token, ownOrg } = await callerToken(sys, caller, customerOrg.id);
    const target = scope === 'own' ? ownOrg : otherOrg.id;
    const { path, body, byPath } = sample.request(target);
    const res = await sys.api(sample.def.method, path, {
      token,
      body,
      orgid: byPath || scope === 'own' ? undefined : target,
    });
    const expected = expectedOutcome(sample.def.access, caller, scope);
    const expectedStatus = { allowed: sample.def.successStatus ?? 200, unauthenticated: 401, forbidden: 403 }[expected];
    expect({ status: res.status, body: res.body }).toEqual({ status: expectedStatus, body: expect.anything() });
    if (expected !== 'allowed')
      expect(res.body.error.code).toBe(expected === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  });

  // The spec: "View other org's profile: RootAdmin (root org only)".
  it("refuses RootPowerUser another org's profile, by path and by header, yet lets it read its own and update the other's", async () => {
    const { token } = await callerToken(sys, 'RootPowerUser', otherOrg.id);
    const byPath = await sys.api('GET', `/profile/${otherOrg.id}`, { token });
    const byHeader = await sys.api('GET', '/profile', { token, orgid: otherOrg.id });
    expect([byPath.status, byPath.body.error?.code, byHeader.status, byHeader.body.error?.code]).toEqual([
      403,
      'FORBIDDEN',
      403,
      'FORBIDDEN',
    ]);
    expect((await sys.api('GET', '/profile', { token })).status).toBe(200);
    expect(
      (await sys.api('POST', '/profile/update', { token, orgid: otherOrg.id, body: { displayName: 'Operated' } }))
        .status,
    ).toBe(200);
  });

  it("lets RootAdmin of the root org read another org's profile", async () => {
    const res = await sys.api('GET', `/profile/${otherOrg.id}`, { token: await sys.rootToken() });
    expect({ status: res.status, id: res.body.company?.id }).toEqual({ status: 200, id: otherOrg.id });
  });
});

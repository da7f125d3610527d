import { EndpointDef, Organization, TransferEndpoints } from '@org-mgmt/contracts';
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
import { randomBytes } from 'node:crypto';
import { waitForJob } from './helpers';

interface Sample {
  def: EndpointDef;
  /** Path and body of a valid request; `orgId` is the org acted on. */
  request: (orgId: string) => { path: string; body?: unknown };
  /** The allowed outcome depends on the job's state (e.g. 409 once cancelled): only "not 401/403" is checked. */
  stateful?: boolean;
}

/**
 * Generated from the matrix: every transfer endpoint × every kind of caller × own org / another org
 * (named by the orgid header).
 */
describe('transfer endpoints enforce the permission matrix', () => {
  let sys: TestSystem;
  let customerOrg: Organization;
  let otherOrg: Organization;
  let thirdOrg: Organization;
  let jobId: string;

  const email = () => `owner-${randomBytes(4).toString('hex')}@example.com`;
  const samples = (): Sample[] => [
    {
      def: TransferEndpoints.transferOwnership,
      request: () => ({
        path: '/transfer/ownership',
        body: { newOwnerEmail: email(), previousOwner: 'keep_as_admin' },
      }),
    },
    {
      def: TransferEndpoints.changeEmail,
      request: () => ({ path: '/transfer/change-email', body: { email: email() } }),
    },
    {
      def: TransferEndpoints.create,
      request: (orgId) => ({
        path: '/transfer/assets',
        body: { datatype: 'collections', mode: 'copy', sourceOrgId: orgId, targetOrgId: thirdOrg.id },
      }),
    },
    {
      def: TransferEndpoints.createBulk,
      request: (orgId) => ({
        path: '/transfer/assets-bulk',
        body: { datatypes: ['collections'], mode: 'copy', sourceOrgId: orgId, targetOrgId: thirdOrg.id },
      }),
    },
    { def: TransferEndpoints.list, request: () => ({ path: '/transfer/jobs' }) },
    { def: TransferEndpoints.get, request: () => ({ path: `/transfer/${jobId}` }) },
    { def: TransferEndpoints.cancel, request: () => ({ path: `/transfer/${jobId}/cancel` }), stateful: true },
    { def: TransferEndpoints.resume, request: () => ({ path: `/transfer/${jobId}/resume` }), stateful: true },
    { def: TransferEndpoints.rollback, request: () => ({ path: `/transfer/${jobId}/rollback` }), stateful: true },
  ];

  beforeAll(async () => {
    sys = await startTestSystem();
    customerOrg = await sys.registerOrg();
    otherOrg = await sys.registerOrg();
    thirdOrg = await sys.registerOrg();
    const res = await sys.api('POST', '/transfer/assets', {
      token: await sys.rootToken(),
      body: { datatype: 'records', mode: 'copy', sourceOrgId: customerOrg.id, targetOrgId: otherOrg.id },
    });
    jobId = res.body.id;
    await waitForJob(sys, jobId);
  });
  afterAll(() => sys?.close());

  async function callerToken(caller: Caller): Promise<{ token?: string; ownOrg: string }> {
    if (caller === 'none') return { ownOrg: customerOrg.id };
    const facts = CALLER_FACTS[caller];
    const ownOrg = facts.inRootOrg ? sys.config.ROOT_ORG_ID : customerOrg.id;
    return { token: await sys.token({ orgId: ownOrg, roles: facts.roles, sub: `user-${caller}` }), ownOrg };
  }

  const cases = samples().flatMap((sample, index) =>
    CALLERS.flatMap((caller) =>
      (['own', 'other'] as Scope[]).map((scope) => ({
        name: `${sample.def.method} ${sample.def.path} by ${caller} on ${scope} org`,
        index,
        caller,
        scope,
      })),
    ),
  );

  it.each(cases)('$name', async ({ index, caller, scope }) => {
    const sample = samples()[index];
    const { token, ownOrg } = await callerToken(caller);
    const target = scope === 'own' ? ownOrg : otherOrg.id;
    const { path, body } = sample.request(target);
    const res = await sys.api(sample.def.method, path, { token, body, orgid: scope === 'own' ? undefined : target });
    const expected = expectedOutcome(sample.def.access, caller, scope);
    if (expected === 'allowed' && sample.stateful) {
      expect(statusMatches(expected, res.status)).toBe(true);
      expect([200, 409]).toContain(res.status);
      return;
    }
    const expectedStatus = { allowed: sample.def.successStatus ?? 200, unauthenticated: 401, forbidden: 403 }[expected];
    expect({ status: res.status, body: res.body }).toEqual({ status: expectedStatus, body: expect.anything() });
    if (expected !== 'allowed')
      expect(res.body.error.code).toBe(expected === 'forbidden' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  });
});

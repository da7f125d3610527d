import {
  ALL_ENDPOINTS,
  BillingEndpoints,
  EndpointDef,
  HTTP_ENDPOINTS,
  OrgsEndpoints,
  participantEndpoints,
  Principal,
  TRANSFER_DATATYPE_NAMES,
} from '@org-mgmt/contracts';
import {
  Caller,
  CALLER_FACTS,
  callerToken,
  CALLERS,
  Expected,
  ROOT_ORG_CALLERS,
  expectedOutcome,
  Scope,
  startTestSystem,
  tally,
  TestSystem,
  signedRpcClient,
} from '@org-mgmt/testing';
import { randomUUID } from 'node:crypto';
import { PREPARED } from './prepared';
import { DESTRUCTIVE, otherOrgVias, ownOrgVias, sampleRequest, SUCCEEDS, Via, withQuery } from './requests';
import { changedTables, settledDigest, stateDigest } from './state';

interface MatrixCase {
  name: string;
  def: EndpointDef;
  caller: Caller;
  scope: Scope;
  via: Via;
}

const AI = 'premium-ai-models';

const MATRIX_CALLERS: readonly Caller[] = [...CALLERS, ...ROOT_ORG_CALLERS];

/** Every way of calling `defs`: each caller on its own org, and on another org by each way the endpoint lets it name one. */
function casesOf(defs: readonly EndpointDef[]): MatrixCase[] {
  return defs.flatMap((def) =>
    MATRIX_CALLERS.flatMap((caller) =>
      [
        ...ownOrgVias(def).map((via) => ({ scope: 'own' as Scope, via })),
        ...otherOrgVias(def).map((via) => ({ scope: 'other' as Scope, via })),
      ].map(({ scope, via }) => ({
        name: `${def.method} ${def.path} by ${caller} on ${scope} org (${via})`,
        def,
        caller,
        scope,
        via,
      })),
    ),
  );
}

const HTTP_CASES = casesOf(HTTP_ENDPOINTS);

/** Everything a service answers over NATS: the endpoint table and each datatype's transfer-participant patterns. */
const NATS_ENDPOINTS: readonly EndpointDef[] = [
  ...ALL_ENDPOINTS,
  ...TRANSFER_DATATYPE_NAMES.flatMap((datatype) => Object.values(participantEndpoints(datatype))),
];

/** Distinct client addresses (through the trusted loopback proxy), so per-IP rate limits never decide a case. */
let clientCount = 0;
const nextClientIp = () => `10.77.${Math.floor(++clientCount / 250) % 250}.${(clientCount % 250) + 1}`;

const ERROR_CODE: Record<Exclude<Expected, 'allowed'>, string> = {
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
};
const DENIED_STATUS: Record<Exclude<Expected, 'allowed'>, number> = { unauthenticated: 401, forbidden: 403 };

/**
 * The permission matrix of libs/contracts, generated over every endpoint × every kind of caller ×
 * own org / another org named by path, `orgid` header and body, against the independent oracle
 * `expectedOutcome`; then the same matrix sent straight to the services over NATS with forged
 * principals, proving each service checks again behind the gateway.
 */
describe('security: permission matrix', () => {
  let sys: TestSystem;
  let shared: { customer: string; other: string };
  const counts = {
    cases: 0,
    allowed: 0,
    allowedSucceeded: 0,
    allowedThenRefusedByService: 0,
    denied401: 0,
    denied403: 0,
    mismatches: 0,
  };

  beforeAll(async () => {
    sys = await startTestSystem({
      env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000', SUBSCRIPTION_WORKER_INTERVAL_MS: '0' },
    });
    shared = { customer: (await sys.registerOrg()).id, other: (await sys.registerOrg()).id };
  });
  afterAll(async () => {
    tally('security: permission matrix', counts);
    await sys?.close();
  });

  it('covers every HTTP endpoint of the contract, every kind of caller, and every way to name another org', () => {
    expect(new Set(HTTP_CASES.map((c) => c.def.pattern))).toEqual(new Set(HTTP_ENDPOINTS.map((d) => d.pattern)));
    for (const def of HTTP_ENDPOINTS) {
      const own = HTTP_CASES.filter((c) => c.def === def && c.scope === 'own').map((c) => c.caller);
      expect(own).toEqual(MATRIX_CALLERS.flatMap((caller) => ownOrgVias(def).map(() => caller)));
      expect(HTTP_CASES.filter((c) => c.def === def && c.scope === 'other').length).toBe(
        MATRIX_CALLERS.length * otherOrgVias(def).length,
      );
    }
  });

  /** Fresh orgs for endpoints that would block the shared ones. */
  async function orgsFor(def: EndpointDef) {
    if (!DESTRUCTIVE.has(def.pattern)) return shared;
    return { customer: (await sys.registerOrg()).id, other: (await sys.registerOrg()).id };
  }

  it.each(HTTP_CASES)('$name', async ({ def, caller, scope, via }) => {
    const orgs = await orgsFor(def);
    const { token, ownOrg } = await callerToken(sys, caller, orgs.customer);
    const target = scope === 'own' ? ownOrg : orgs.other;
    const expected = expectedOutcome(def.access, caller, scope);
    const generated = sampleRequest(def, target, ownOrg, via);
    const prepared = expected === 'allowed' ? PREPARED[def.pattern] : undefined;
    const sample = prepared ? await prepared.prepare(sys, { def, target, sample: generated }) : generated;
    const res = await sys.api(def.method, withQuery(sample.path, sample.query), {
      token,
      body: sample.body,
      rawBody: sample.rawBody,
      orgid: sample.orgid,
      headers: { 'x-forwarded-for': nextClientIp() },
    });
    const outcome = { status: res.status, code: res.body?.error?.code ?? null };
    const matches =
      expected === 'allowed'
        ? allowed(def, outcome.status)
        : outcome.code === ERROR_CODE[expected] && outcome.status === DENIED_STATUS[expected];
    counts.cases++;
    if (!matches) counts.mismatches++;
    else if (expected === 'allowed') {
      counts.allowed++;
      counts[outcome.status < 300 ? 'allowedSucceeded' : 'allowedThenRefusedByService']++;
    } else counts[expected === 'forbidden' ? 'denied403' : 'denied401']++;
    expect({ expected, ...outcome, matches }).toEqual({ expected, ...outcome, matches: true });
  });

  it.each(ALL_ENDPOINTS.filter((def) => def.internal))('$pattern has no HTTP route', async (def) => {
    const body = def.method === 'GET' ? undefined : {};
    const res = await sys.api(def.method, def.path, { token: await sys.rootToken(), body });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it.each([BillingEndpoints.addonTerms, OrgsEndpoints.agreementStatus])(
    'serves $pattern over NATS to System principals of the root org',
    async (def) => {
      const rpc = await signedRpcClient(sys.env, 5000);
      try {
        const result = await rpc.request(def.pattern, {
          principal: { sub: 'user-System', orgId: sys.config.ROOT_ORG_ID, roles: CALLER_FACTS.System.roles },
          orgId: shared.customer,
          requestId: randomUUID(),
          body: { serviceNames: [AI] },
        });
        expect(result).toEqual({ ok: true, data: { items: [expect.objectContaining({ serviceName: AI })] } });
      } finally {
        await rpc.close();
      }
    },
  );

  // The spec: "View other org's profile: RootAdmin (root org only)"; the oracle must agree.
  it("refuses RootPowerUser another org's profile, by path and by header, yet lets it read its own and update the other's", async () => {
    const { token } = await callerToken(sys, 'RootPowerUser', shared.other);
    const byPath = await sys.api('GET', `/profile/${shared.other}`, { token });
    const byHeader = await sys.api('GET', '/profile', { token, orgid: shared.other });
    expect([byPath.status, byPath.body.error?.code, byHeader.status, byHeader.body.error?.code]).toEqual([
      403,
      'FORBIDDEN',
      403,
      'FORBIDDEN',
    ]);
    expect((await sys.api('GET', '/profile', { token })).status).toBe(200);
    const update = { token, orgid: shared.other, body: { displayName: 'Operated' } };
    expect((await sys.api('POST', '/profile/update', update)).status).toBe(200);
  });

  it("lets RootAdmin of the root org read another org's profile", async () => {
    const res = await sys.api('GET', `/profile/${shared.other}`, { token: await sys.rootToken() });
    expect({ status: res.status, id: res.body.company?.id }).toEqual({ status: 200, id: shared.other });
  });

  it('is enforced again by each service: forged principals sent over NATS behind the gateway are refused, and nothing changes', async () => {
    const rpc = await signedRpcClient(sys.env, 10_000);
    const before = await settledDigest(sys);
    const service = { cases: 0, denied401: 0, denied403: 0, mismatches: 0 };
    const wrong: string[] = [];
    try {
      for (const { def, caller, scope, via } of casesOf(NATS_ENDPOINTS)) {
        const expected = expectedOutcome(def.access, caller, scope);
        if (expected === 'allowed') continue;
        const ownOrg = caller !== 'none' && CALLER_FACTS[caller].inRootOrg ? sys.config.ROOT_ORG_ID : shared.customer;
        const target = scope === 'own' ? ownOrg : shared.other;
        const sample = sampleRequest(def, target, ownOrg, via === 'header' || via === 'path' ? 'implicit' : via);
        const principal: Principal | null =
          caller === 'none' ? null : { sub: `forged-${caller}`, orgId: ownOrg, roles: CALLER_FACTS[caller].roles };
        const result = await rpc.request(def.pattern, {
          principal,
          orgId: def.bodyOrgFields?.length && via === 'body' ? ownOrg : target,
          requestId: randomUUID(),
          params: { ...sample.params, ...(/:orgId/.test(def.path) ? { orgId: target } : {}) },
          query: sample.query,
          body: sample.body,
          ...(sample.rawBody ? { rawBody: sample.rawBody } : {}),
        });
        const code = result.ok ? 'ok' : result.error.code;
        service.cases++;
        if (code === ERROR_CODE[expected]) service[expected === 'forbidden' ? 'denied403' : 'denied401']++;
        else {
          service.mismatches++;
          wrong.push(
            `${def.pattern} by ${caller} on ${scope} org (${via}): expected ${ERROR_CODE[expected]}, got ${code}`,
          );
        }
      }
    } finally {
      await rpc.close();
      tally('security: service-side matrix (NATS, forged principals)', service);
    }
    expect(wrong).toEqual([]);
    expect(changedTables(before, await stateDigest(sys))).toEqual([]);
  });
});

/**
 * Let through by the gate: the real success where the sample request is known to succeed (or the
 * statuses its prepared state allows), else anything but a refusal or a 5xx.
 */
function allowed(def: EndpointDef, status: number): boolean {
  const prepared = PREPARED[def.pattern];
  if (prepared) return (prepared.statuses ?? [def.successStatus ?? 200]).includes(status);
  if (SUCCEEDS.has(def.pattern)) return status === (def.successStatus ?? 200);
  return status !== 401 && status !== 403 && status < 500;
}

import {
  ALL_ENDPOINTS,
  EndpointDef,
  HTTP_ENDPOINTS,
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
import { DESTRUCTIVE, otherOrgVias, ownOrgVia, sampleRequest, SUCCEEDS, Via, withQuery } from './requests';
import { changedTables, settledDigest, stateDigest } from './state';

interface MatrixCase {
  name: string;
  def: EndpointDef;
  caller: Caller;
  scope: Scope;
  via: Via;
}

const MATRIX_CALLERS: readonly Caller[] = [...CALLERS, ...ROOT_ORG_CALLERS];

/** Every way of calling `defs`: each caller on its own org, and on another org by each way the endpoint lets it name one. */
function casesOf(defs: readonly EndpointDef[]): MatrixCase[] {
  return defs.flatMap((def) =>
    MATRIX_CALLERS.flatMap((caller) =>
      [
        { scope: 'own' as Scope, via: ownOrgVia(def) },
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
    sys = await startTestSystem({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000' } });
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
      expect(own).toEqual([...MATRIX_CALLERS]);
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
    const sample = sampleRequest(def, target, ownOrg, via);
    const res = await sys.api(def.method, withQuery(sample.path, sample.query), {
      token,
      body: sample.body,
      rawBody: sample.rawBody,
      orgid: sample.orgid,
      headers: { 'x-forwarded-for': nextClientIp() },
    });
    const expected = expectedOutcome(def.access, caller, scope);
    const outcome = { status: res.status, code: res.body?.error?.code ?? null };
    const matches = expected === 'allowed' ? allowed(def, outcome.status) : outcome.code === ERROR_CODE[expected];
    counts.cases++;
    if (!matches) counts.mismatches++;
    else if (expected === 'allowed') {
      counts.allowed++;
      counts[outcome.status < 300 ? 'allowedSucceeded' : 'allowedThenRefusedByService']++;
    } else counts[expected === 'forbidden' ? 'denied403' : 'denied401']++;
    expect({ expected, ...outcome, matches }).toEqual({ expected, ...outcome, matches: true });
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

/** Let through by the gate: the real success where the sample request is known to succeed, else anything but a refusal or a 5xx. */
function allowed(def: EndpointDef, status: number): boolean {
  if (SUCCEEDS.has(def.pattern)) return status === (def.successStatus ?? 200);
  return status !== 401 && status !== 403 && status < 500;
}

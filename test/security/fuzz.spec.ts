import { ALL_ENDPOINTS, EndpointDef, ErrorEnvelopeSchema, HTTP_ENDPOINTS, OrgIdSchema } from '@org-mgmt/contracts';
import { NatsRpcClient } from '@org-mgmt/runtime';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '@org-mgmt/gateway';
import { rawHttp, signedRpcClient, startTestSystem, tally, TestSystem } from '@org-mgmt/testing';
import { jsonSchemaOf, pick, Rng, seededRng } from './generate';
import {
  HOSTILE_CURSORS,
  hostileBodies,
  hostileValues,
  HOSTILE_STRINGS,
  protoRecord,
  RAW_PATH_SEGMENTS,
  UNSTORABLE_STRINGS,
} from './hostile';
import { DESTRUCTIVE, expressPath, SampleRequest, sampleRequest, withQuery } from './requests';
import { changedTables, settledDigest, stateDigest } from './state';

const SEED = 20261123;
const GENERATED_PER_ENDPOINT = 3;
const HOSTILE_PER_FIELD = 4;
/** Header values must be Latin-1 for fetch to send them. */
const HOSTILE_HEADERS = [
  "' OR '1'='1",
  'org_ROOT',
  'x'.repeat(5000),
  '../../etc/passwd',
  '{"$gt":""}',
  ' ',
  'org_root, org_other',
];

/** Refusals of the body parser, which runs before authentication: nothing of the input was interpreted. */
const UNREADABLE_BODY = new Set(['MALFORMED_REQUEST', 'PAYLOAD_TOO_LARGE']);

interface FuzzCase {
  label: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  headers: Record<string, string>;
  /** False when the contract refuses it: it must be a 4xx and change nothing. */
  validByContract: boolean;
}

interface Target {
  orgId: string;
  otherOrgId: string;
  bodyLimit: number;
}

/**
 * For every endpoint: requests generated from its schemas, then the same with hostile values in
 * each body field, path param, query key and header, and bodies of the wrong shape. Never a 5xx;
 * whatever the contract refuses changes nothing; the slowest answer is reported.
 */
describe('security: fuzz', () => {
  let sys: TestSystem;
  let rootToken: string;
  let target: Target;
  const counts = {
    endpoints: 0,
    requests: 0,
    edgeRequests: 0,
    methodNotAllowed: 0,
    refusedByContract: 0,
    unauthenticatedSent: 0,
    status2xx: 0,
    status4xx: 0,
    status5xx: 0,
    stateChanged: 0,
    maxMs: 0,
  };
  const failures: string[] = [];
  let clients = 0;

  beforeAll(async () => {
    sys = await startTestSystem({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000' } });
    rootToken = await sys.rootToken();
    target = {
      orgId: (await sys.registerOrg()).id,
      otherOrgId: (await sys.registerOrg()).id,
      bodyLimit: sys.config.BODY_LIMIT_BYTES,
    };
  });
  afterAll(async () => {
    tally('security: fuzz', counts);
    await sys?.close();
  });

  /** Sends as the root operator, or with no token at all when `token` is null. */
  async function send(def: EndpointDef, c: FuzzCase, token: string | null = rootToken) {
    const started = performance.now();
    const res = await sys.api(def.method, c.path, {
      token: token ?? undefined,
      body: c.body,
      rawBody: c.rawBody,
      headers: { 'x-forwarded-for': `10.88.${Math.floor(++clients / 250) % 250}.${(clients % 250) + 1}`, ...c.headers },
    });
    const ms = Math.round(performance.now() - started);
    counts.requests++;
    counts.maxMs = Math.max(counts.maxMs, ms);
    if (res.status >= 500) {
      counts.status5xx++;
      failures.push(`${def.method} ${def.path} [${c.label}]: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    } else if (res.status >= 400) counts.status4xx++;
    else counts.status2xx++;
    if (!c.validByContract && res.status < 400)
      failures.push(`${def.method} ${def.path} [${c.label}]: accepted (${res.status}) what the contract refuses`);
    if (res.status >= 400 && !ErrorEnvelopeSchema.safeParse(res.body).success) {
      failures.push(`${def.method} ${def.path} [${c.label}]: ${res.status} outside the error envelope`);
    }
    return res;
  }

  /** Tallies an answer to a request no endpoint takes (raw or not): never a 5xx, always the envelope. */
  function checkEdge(label: string, res: { status: number; body: unknown }, found: string[]) {
    counts.edgeRequests++;
    if (res.status >= 500) counts.status5xx++;
    if (res.status >= 500 || res.status < 400 || !ErrorEnvelopeSchema.safeParse(res.body).success) {
      found.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  }

  it.each(HTTP_ENDPOINTS.map((def) => ({ name: `${def.method} ${def.path}`, def })))('$name', async ({ def }) => {
    const orgs = DESTRUCTIVE.has(def.pattern) ? { ...target, orgId: (await sys.registerOrg()).id } : target;
    const cases = fuzzCases(def, orgs, seededRng(SEED + HTTP_ENDPOINTS.indexOf(def)));
    const before = await settledDigest(sys);
    const failuresBefore = failures.length;
    for (const c of cases.filter((c) => !c.validByContract)) {
      counts.refusedByContract++;
      await send(def, c);
    }
    const changed = changedTables(before, await stateDigest(sys));
    counts.stateChanged += changed.length;
    if (changed.length > 0) failures.push(`${def.method} ${def.path}: refused requests changed ${changed.join(', ')}`);
    for (const c of cases.filter((c) => c.validByContract)) await send(def, c);
    if (def.access.kind !== 'public') await withoutToken(def, cases);
    counts.endpoints++;
    expect(failures.slice(failuresBefore)).toEqual([]);
  });

  /** Every third case again without a token: 401 whatever the input, unless the body cannot even be read. */
  async function withoutToken(def: EndpointDef, cases: FuzzCase[]) {
    for (const c of cases.filter((_, i) => i % 3 === 0)) {
      const res = await send(def, c, null);
      counts.unauthenticatedSent++;
      const code = res.body?.error?.code;
      if (!(res.status === 401 || UNREADABLE_BODY.has(code) || res.status === 431)) {
        failures.push(`${def.method} ${def.path} [${c.label}] without a token: ${res.status} ${code}`);
      }
    }
  }

  it('answers every other method on every endpoint path with 405 and Allow (or the endpoint sharing that path), changing nothing', async () => {
    const found: string[] = [];
    const before = await settledDigest(sys);
    for (const def of HTTP_ENDPOINTS) {
      const { path } = sampleRequest(def, target.orgId, target.otherOrgId, viaOf(def));
      for (const method of OTHER_METHODS.filter((m) => m !== def.method)) {
        const res = await sys.api(method, path, { token: rootToken });
        const label = `${method} ${def.path}`;
        counts.edgeRequests++;
        if (res.status >= 500) counts.status5xx++;
        if (res.status === 405) counts.methodNotAllowed++;
        const allow = (res.headers.get('allow') ?? '').split(', ');
        if (res.status === 405 && !(allow.includes(def.method) && res.body.error?.code === 'METHOD_NOT_ALLOWED'))
          found.push(`${label}: 405 with Allow ${allow}`);
        if (res.status >= 500 || (res.status >= 400 && !ErrorEnvelopeSchema.safeParse(res.body).success))
          found.push(`${label}: ${res.status}`);
      }
    }
    expect(changedTables(before, await stateDigest(sys))).toEqual([]);
    expect(found).toEqual([]);
  });

  it('answers paths outside the API, and paths that are not valid percent-encoding, in the envelope', async () => {
    const found: string[] = [];
    for (const path of OUTSIDE_PATHS) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const res = await rawHttp(
          sys.url,
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
        checkEdge(`${method} ${path}`, res, found);
      }
    }
    expect(found).toEqual([]);
  });

  it("answers requests node's parser refuses (bad header bytes, oversize headers) in the envelope", async () => {
    const found: string[] = [];
    for (const def of HTTP_ENDPOINTS) {
      const { path } = sampleRequest(def, target.orgId, target.otherOrgId, viaOf(def));
      for (const [label, headers] of PROTOCOL_REFUSALS) {
        const res = await rawHttp(
          sys.url,
          `${def.method} /org-management${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`,
        );
        checkEdge(`${def.method} ${def.path} [${label}]`, res, found);
      }
    }
    expect(found).toEqual([]);
  });

  it('NATS-only endpoints answer hostile input and malformed envelopes from a System caller without an internal error', async () => {
    const rpc = await signedRpcClient(sys.env, 10_000);
    // What is not even an object carries no principal to sign: it goes out unsigned, as a forger would send it.
    const bare = new NatsRpcClient(sys.env.NATS_URL, sys.config.NATS_SUBJECT_PREFIX, 10_000);
    await bare.connect();
    const internalErrors: string[] = [];
    let sent = 0;
    try {
      const system = { sub: 'fuzz-system', orgId: sys.config.ROOT_ORG_ID, roles: ['System' as const] };
      for (const def of ALL_ENDPOINTS.filter((d) => d.internal)) {
        const rng = seededRng(SEED + def.pattern.length);
        const base = sampleRequest(def, target.orgId, target.otherOrgId, viaOf(def));
        const bodies = [
          base.body,
          ...Object.keys(isRecord(base.body) ? base.body : {}).flatMap((field) =>
            pickSome(rng, hostileValues(), HOSTILE_PER_FIELD).map((value) => ({
              ...(base.body as object),
              [field]: value,
            })),
          ),
          ...hostileBodies().map((h) => h.body),
        ];
        const envelopes = [
          ...bodies.map((body) => ({
            principal: system,
            orgId: target.orgId,
            requestId: 'fuzz',
            params: base.params,
            query: base.query,
            body,
          })),
          { principal: { ...system, roles: 'System' }, orgId: target.orgId, requestId: 'fuzz' },
          { principal: system, orgId: 42, requestId: 'fuzz' },
          {
            principal: system,
            orgId: target.orgId,
            requestId: 'fuzz',
            params: '__proto__',
            query: [1],
            body: base.body,
          },
          'not an envelope',
          null,
        ];
        for (const envelope of envelopes) {
          const client = typeof envelope === 'object' && envelope !== null ? rpc : bare;
          const result = await client.request(def.pattern, envelope as never);
          sent++;
          if (!result.ok && (result.error.code === 'INTERNAL' || result.error.code === 'SERVICE_TIMEOUT')) {
            internalErrors.push(`${def.pattern}: ${result.error.code} for ${shown(envelope)}`);
          }
        }
      }
    } finally {
      await rpc.close();
      await bare.close();
      tally('security: fuzz (NATS-only endpoints)', { requests: sent, internalErrors: internalErrors.length });
    }
    expect(internalErrors).toEqual([]);
  });

  it('left no polluted prototype behind (the services run in this process)', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

/** Sent as written: fetch would normalise `..`, refuse bad escapes, or stay under the prefix. */
const OUTSIDE_PATHS = [
  '/',
  '/x',
  '/org-management-x/profile',
  '/ORG-MANAGEMENT/profile',
  '/org-management/../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '//org-management/profile',
  '/org-management/profile/update/extra',
  '/org-management/%ZZ',
  '/org-management/check-org-name/%ED%A0%80',
  '/org-management/check-org-name/%E0%A4%A',
  '/org-management/transfer/%C0%80',
  '/health/%ZZ',
  '/metrics/x',
  '*',
];

/** Header lines node refuses before any handler runs. */
const PROTOCOL_REFUSALS: [string, string][] = [
  ['NUL in a header value', 'X-Bad: a\u0000b'],
  ['control byte in a header value', 'X-Bad: a\u0001b'],
  ['space in a header name', 'Bad Name: 1'],
  ['header line without a colon', 'NoColon'],
  ['headers over 16 KiB', `X-Big: ${'a'.repeat(20_000)}`],
  ['both Content-Length and chunked', 'Content-Length: 5\r\nTransfer-Encoding: chunked'],
];

/** How the endpoint names the org the fuzzed requests act on. */
function viaOf(def: EndpointDef) {
  if (/\/:orgId\b/.test(def.path) && !/\{\/:orgId\}/.test(def.path)) return 'path' as const;
  if (def.bodyOrgFields?.length) return 'body' as const;
  return 'header' as const;
}

interface CaseParts {
  params?: Record<string, string>;
  /** Path params sent as written (not valid percent-encoding, or encoding what encodeURIComponent refuses). */
  rawParams?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}
type MakeCase = (label: string, parts: CaseParts) => FuzzCase;

/** The fuzzed requests of one endpoint: generated ones, then hostile bodies, params, queries and headers. */
function fuzzCases(def: EndpointDef, target: Target, rng: Rng): FuzzCase[] {
  const request = (seed: number, optionals: boolean) =>
    sampleRequest(def, target.orgId, target.otherOrgId, viaOf(def), seed, optionals);
  const base = request(1, false);
  const make = caseMaker(def, base, target.bodyLimit);
  const generated = Array.from({ length: GENERATED_PER_ENDPOINT }, (_, i) => {
    const sample = request(SEED + i, true);
    return make(`generated #${i}`, { params: sample.params, query: sample.query, body: sample.body });
  });
  return [
    ...generated,
    ...(def.method === 'GET' ? [] : bodyCases(make, base.body, rng)),
    ...(def.method === 'GET' ? [] : unstorableBodyCases(make, def, base.body)),
    ...paramCases(make, base.params, rng),
    ...queryCases(make, def, base.query, rng),
    ...cursorCases(make, def, base.query),
    ...headerCases(make, rng),
  ];
}

/** Builds a case from the base request with some parts replaced, and says whether the contract accepts it. */
function caseMaker(def: EndpointDef, base: SampleRequest, bodyLimit: number): MakeCase {
  return (label, parts) => {
    const params = parts.params ?? base.params;
    const query = parts.query ?? base.query;
    const body = 'body' in parts ? parts.body : base.body;
    const rawBody = parts.rawBody ?? (def.rawBody ? base.rawBody : undefined);
    const headers = { ...(base.orgid ? { orgid: base.orgid } : {}), ...parts.headers };
    const rawParams = parts.rawParams ?? {};
    const decoded = decodedParams(rawParams);
    return {
      label,
      path: withQuery(expressPath(def.path, params, rawParams), query),
      body: rawBody === undefined ? body : undefined,
      rawBody,
      headers,
      validByContract:
        decoded !== null &&
        validByContract(def, { params: { ...params, ...decoded }, query, body, rawBody, headers }, bodyLimit),
    };
  };
}

function bodyCases(make: MakeCase, base: unknown, rng: Rng): FuzzCase[] {
  const fields = isRecord(base) ? base : {};
  const withProto = JSON.stringify(fields).replace(/^\{/, '{"__proto__":{"polluted":"yes"},').replace(/,\}$/, '}');
  return [
    ...Object.keys(fields).flatMap((field) =>
      pickSome(rng, hostileValues(), HOSTILE_PER_FIELD).map((value) =>
        make(`body.${field} = ${shown(value)}`, { body: { ...fields, [field]: value } }),
      ),
    ),
    make('unknown body field', { body: { ...fields, unexpected: pick(rng, HOSTILE_STRINGS) } }),
    make('__proto__ key beside valid fields', { body: JSON.parse(withProto) }),
    ...hostileBodies().map((hostile) =>
      make(hostile.label, {
        body: hostile.body,
        rawBody: hostile.rawBody,
        headers: hostile.contentType ? { 'content-type': hostile.contentType } : {},
      }),
    ),
  ];
}

function paramCases(make: MakeCase, params: Record<string, string>, rng: Rng): FuzzCase[] {
  return Object.keys(params).flatMap((name) => [
    ...pickSome(rng, HOSTILE_STRINGS, HOSTILE_PER_FIELD).map((value) =>
      make(`params.${name} = ${shown(value)}`, { params: { ...params, [name]: value } }),
    ),
    ...UNSTORABLE_STRINGS.map((value) =>
      make(`params.${name} = ${shown(value)}`, { params: { ...params, [name]: value } }),
    ),
    ...RAW_PATH_SEGMENTS.map((segment) => make(`params.${name} as ${segment}`, { rawParams: { [name]: segment } })),
  ]);
}

/**
 * Every top-level body field the schema names, optional ones too, holding each string PostgreSQL
 * cannot store; record fields (metadata, feature overrides) get them as a key and as a value, and
 * an own `__proto__` key.
 */
function unstorableBodyCases(make: MakeCase, def: EndpointDef, base: unknown): FuzzCase[] {
  const fields = isRecord(base) ? base : {};
  const properties = def.body ? propertiesOf(jsonSchemaOf(def.body)) : {};
  const names = [...new Set([...Object.keys(fields), ...Object.keys(properties)])];
  const withField = (name: string, value: unknown) => ({ body: { ...fields, [name]: value } });
  return names.flatMap((name) => {
    const isRecordField = properties[name]?.type === 'object' && !properties[name]?.properties;
    return [
      ...UNSTORABLE_STRINGS.map((value) => make(`body.${name} = ${shown(value)}`, withField(name, value))),
      ...(isRecordField
        ? [
            ...UNSTORABLE_STRINGS.map((value) =>
              make(`body.${name} key ${shown(value)}`, withField(name, { [value]: true })),
            ),
            ...UNSTORABLE_STRINGS.map((value) =>
              make(`body.${name}.key = ${shown(value)}`, withField(name, { key: value })),
            ),
            make(`body.${name} with a __proto__ key`, withField(name, protoRecord())),
          ]
        : []),
    ];
  });
}

/** The properties of an object schema, or of every branch of a union of them. */
function propertiesOf(
  schema: ReturnType<typeof jsonSchemaOf>,
): Record<string, { type?: unknown; properties?: unknown }> {
  const branches = schema.anyOf ?? schema.oneOf ?? [schema];
  return Object.assign({}, ...branches.map((branch) => branch.properties ?? {}));
}

/** Crafted page cursors on every paged list. */
function cursorCases(make: MakeCase, def: EndpointDef, query: Record<string, unknown>): FuzzCase[] {
  const paged = def.query && 'cursor' in (jsonSchemaOf(def.query).properties ?? {});
  return paged
    ? HOSTILE_CURSORS.map((cursor) => make(`query.cursor = ${shown(cursor)}`, { query: { ...query, cursor } }))
    : [];
}

/** Raw path segments as the server decodes them; null when one does not decode (never valid). */
function decodedParams(rawParams: Record<string, string>): Record<string, string> | null {
  try {
    return Object.fromEntries(Object.entries(rawParams).map(([name, segment]) => [name, decodeURIComponent(segment)]));
  } catch {
    return null;
  }
}

function queryCases(make: MakeCase, def: EndpointDef, query: Record<string, unknown>, rng: Rng): FuzzCase[] {
  const scalars = [...hostileValues().filter((v) => typeof v !== 'object' || v === null), '101', '100000', '1e400'];
  const names = def.query ? Object.keys(jsonSchemaOf(def.query).properties ?? {}) : [];
  return [
    ...names.flatMap((name) => [
      ...pickSome(rng, scalars, HOSTILE_PER_FIELD).map((value) =>
        make(`query.${name} = ${shown(value)}`, { query: { ...query, [name]: value } }),
      ),
      make(`query.${name} twice`, { query: { ...query, [name]: ['1', '2'] } }),
    ]),
    make('unknown query key', { query: { ...query, unexpected: '1' } }),
  ];
}

function headerCases(make: MakeCase, rng: Rng): FuzzCase[] {
  return [
    ...pickSome(rng, HOSTILE_HEADERS, 3).map((value) =>
      make(`orgid header = ${shown(value)}`, { headers: { orgid: value } }),
    ),
    make('idempotency-key of 5000 characters', { headers: { 'idempotency-key': 'k'.repeat(5000) } }),
    make('x-request-id junk', { headers: { 'x-request-id': "'; DROP TABLE x; --" } }),
  ];
}

/** Would the gateway's contract accept these parts? (Checked with the same zod schemas, locally.) */
function validByContract(
  def: EndpointDef,
  parts: {
    params: Record<string, string>;
    query: Record<string, unknown>;
    body?: unknown;
    rawBody?: string;
    headers: Record<string, string>;
  },
  bodyLimit: number,
): boolean {
  if (parts.headers.orgid !== undefined && !OrgIdSchema.safeParse(parts.headers.orgid).success) return false;
  if (parts.headers['content-type'] && parts.headers['content-type'] !== 'application/json') return false;
  const params = Object.fromEntries(Object.entries(parts.params).filter(([, v]) => v !== undefined && v !== ''));
  if (def.params && !def.params.safeParse(params).success) return false;
  const query = Object.fromEntries(
    Object.entries(parts.query).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
  if (def.query ? !def.query.safeParse(query).success : Object.keys(query).length > 0) return false;
  if (def.rawBody)
    return parts.rawBody !== undefined && parts.rawBody.length <= bodyLimit && isJsonObject(parts.rawBody);
  if (parts.rawBody !== undefined) return false;
  const text = parts.body === undefined ? undefined : JSON.stringify(parts.body);
  if (
    text !== undefined &&
    (Buffer.byteLength(text) > bodyLimit || typeof parts.body !== 'object' || parts.body === null)
  )
    return false;
  const body = text === undefined ? undefined : JSON.parse(text);
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) return false;
  if (!def.body) return body === undefined || (isRecord(body) && Object.keys(body).length === 0);
  return def.body.safeParse(body).success;
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function pickSome<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const chosen = new Set<T>();
  while (chosen.size < Math.min(count, items.length)) chosen.add(pick(rng, items));
  return [...chosen];
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 30)}…(${text.length} chars)` : text;
}

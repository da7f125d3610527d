import { HTTP_ENDPOINTS, MAX_PAGE_SIZE } from '@org-mgmt/contracts';
import { rawHttp, startTestSystem, tally, TestSystem } from '@org-mgmt/testing';
import { connect } from 'node:net';
import { isRateLimited, MAX_JSON_DEPTH } from '@org-mgmt/gateway';
import { jsonSchemaOf } from './generate';
import { HOSTILE_CURSORS } from './hostile';
import { sampleRequest, withQuery } from './requests';
import { changedTables, settledDigest, stateDigest } from './state';

const RATE_LIMIT = 5;
const REQUEST_TIMEOUT_MS = 1000;

const PUBLIC_ENDPOINTS = HTTP_ENDPOINTS.filter((def) => def.access.kind === 'public');
const RATE_LIMITED_ENDPOINTS = PUBLIC_ENDPOINTS.filter(isRateLimited);
const PAGED_ENDPOINTS = HTTP_ENDPOINTS.filter(
  (def) => def.query && 'limit' in (jsonSchemaOf(def.query).properties ?? {}),
);

/** Rate limits on the public endpoints, page sizes, body size and depth, and the request timeout. */
describe('security: resource limits', () => {
  let sys: TestSystem;
  let customerOrg: string;
  const counts = {
    publicEndpointsRateLimited: 0,
    pagedEndpointsCapped: 0,
    craftedCursorsRefused400: 0,
    oversizeHeadersRefused431: 0,
    oversizeRefused413: 0,
    deepRefused400: 0,
    slowClientsCut408: 0,
  };

  beforeAll(async () => {
    sys = await startTestSystem({
      env: { PUBLIC_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
    });
    customerOrg = (await sys.registerOrg()).id;
  });
  afterAll(async () => {
    tally('security: resource limits', counts);
    await sys?.close();
  });

  it.each(RATE_LIMITED_ENDPOINTS.map((def) => ({ name: `${def.method} ${def.path}`, def })))(
    'rate-limits $name per client IP: 429 in the error envelope with Retry-After beyond the limit',
    async ({ def }) => {
      const sample = sampleRequest(def, customerOrg, customerOrg, 'implicit');
      const from = (ip: string) =>
        sys.api(def.method, withQuery(sample.path, sample.query), {
          body: sample.body,
          rawBody: sample.rawBody,
          headers: { 'x-forwarded-for': ip },
        });
      const within = [];
      for (let i = 0; i < RATE_LIMIT; i++) within.push((await from('192.0.2.10')).status);
      const beyond = await from('192.0.2.10');
      const otherClient = await from('192.0.2.11');
      expect(within.filter((status) => status === 429)).toEqual([]);
      expect({ status: beyond.status, code: beyond.body.error?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(beyond.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(beyond.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(otherClient.status).not.toBe(429);
      counts.publicEndpointsRateLimited++;
    },
  );

  it('rate-limits every public endpoint but the signed Stripe webhook', () => {
    expect(RATE_LIMITED_ENDPOINTS.map((d) => d.pattern).sort()).toEqual(
      [
        'billing.payment.complete',
        'orgs.signup.validate',
        'subscriptions.checkout.complete',
        'subscriptions.payment.complete',
        'subscriptions.plan.list',
      ].sort(),
    );
    expect(PUBLIC_ENDPOINTS.filter((d) => !isRateLimited(d)).map((d) => d.pattern)).toEqual(['billing.webhook.stripe']);
  });

  it.each(PAGED_ENDPOINTS.map((def) => ({ name: `${def.method} ${def.path}`, def })))(
    'caps the page size of $name at MAX_PAGE_SIZE',
    async ({ def }) => {
      const token = await sys.rootToken();
      const sample = sampleRequest(def, customerOrg, customerOrg, 'header');
      const page = (limit: number) =>
        sys.api(def.method, withQuery(sample.path, { ...sample.query, limit: String(limit) }), {
          token,
          orgid: sample.orgid,
        });
      const over = await page(MAX_PAGE_SIZE + 1);
      expect({
        status: over.status,
        fields: over.body.error?.details?.fields?.map((f: { path: string }) => f.path),
      }).toEqual({
        status: 400,
        fields: ['query.limit'],
      });
      expect((await page(MAX_PAGE_SIZE)).status).toBe(200);
      counts.pagedEndpointsCapped++;
    },
  );

  it.each(PAGED_ENDPOINTS.map((def) => ({ name: `${def.method} ${def.path}`, def })))(
    'refuses every crafted cursor on $name with 400 VALIDATION_FAILED naming query.cursor, and follows its own',
    async ({ def }) => {
      const token = await sys.rootToken();
      const sample = sampleRequest(def, customerOrg, customerOrg, 'header');
      const page = (query: Record<string, unknown>) =>
        sys.api(def.method, withQuery(sample.path, { ...sample.query, ...query }), { token, orgid: sample.orgid });
      for (const cursor of HOSTILE_CURSORS) {
        const res = await page({ cursor });
        expect({
          cursor,
          status: res.status,
          code: res.body.error?.code,
          fields: res.body.error?.details?.fields?.map((f: { path: string }) => f.path),
        }).toEqual({
          cursor,
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['query.cursor'],
        });
        counts.craftedCursorsRefused400++;
      }
      const first = await page({ limit: '1' });
      expect(first.status).toBe(200);
      if (first.body.nextCursor) expect((await page({ limit: '1', cursor: first.body.nextCursor })).status).toBe(200);
    },
  );

  it('refuses headers over 16 KiB with 431 HEADERS_TOO_LARGE in the envelope', async () => {
    const res = await rawHttp(
      sys.url,
      `GET /org-management/profile HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 431, code: 'HEADERS_TOO_LARGE' });
    counts.oversizeHeadersRefused431++;
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413 in the envelope, changing nothing', async () => {
    const before = await settledDigest(sys);
    const res = await sys.api('POST', '/profile/update', {
      token: await sys.rootToken(),
      orgid: customerOrg,
      body: { displayName: 'Too big', metadata: { blob: 'x'.repeat(sys.config.BODY_LIMIT_BYTES + 1) } },
    });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(changedTables(before, await stateDigest(sys))).toEqual([]);
    counts.oversizeRefused413++;
  });

  it('refuses a body that is not JSON with 415, and takes a POST without any body', async () => {
    const token = await sys.rootToken();
    const form = await sys.api('POST', '/subscription/cancel', {
      token,
      orgid: customerOrg,
      rawBody: 'immediate=true',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect({ status: form.status, code: form.body.error?.code }).toEqual({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    const empty = await sys.api('POST', '/transfer/xfer_doesnotexist/cancel', { token });
    expect({ status: empty.status, code: empty.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it(`refuses bodies nested deeper than ${MAX_JSON_DEPTH} levels with 400, and accepts that depth`, async () => {
    const nested = (depth: number): unknown => (depth === 1 ? {} : { a: nested(depth - 1) });
    const post = (body: unknown) =>
      sys.api('POST', '/pre-approved-signups/validate', { body, headers: { 'x-forwarded-for': '192.0.2.50' } });
    const deep = await post({ email: 'a@example.com', extra: nested(MAX_JSON_DEPTH) });
    expect({ status: deep.status, code: deep.body.error?.code }).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    const atLimit = await post({ email: 'a@example.com', extra: nested(MAX_JSON_DEPTH - 1) });
    expect({ status: atLimit.status, code: atLimit.body.error?.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    counts.deepRefused400++;
  });

  it('cuts off a client that does not finish sending its request (HTTP_REQUEST_TIMEOUT_MS): 408 in the envelope and the connection closed', async () => {
    const { port } = new URL(sys.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /org-management/pre-approved-signups/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em',
        );
      });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'REQUEST_TIMEOUT', message: expect.any(String) },
    });
    counts.slowClientsCut408++;
  });
});

import { ErrorEnvelopeSchema } from '@org-mgmt/contracts';
import { rawHttp, startTestSystem, TestSystem } from '@org-mgmt/testing';

const envelopeOf = (body: unknown) => ErrorEnvelopeSchema.safeParse(body).success;

describe('gateway: requests no endpoint takes', () => {
  let sys: TestSystem;
  let token: string;

  beforeAll(async () => {
    sys = await startTestSystem();
    token = await sys.rootToken();
  });
  afterAll(async () => {
    await sys?.close();
  });

  const raw = (method: string, path: string) =>
    fetch(`${sys.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const answer = async (res: Response) => ({
    status: res.status,
    allow: res.headers.get('allow'),
    body: (await res.json()) as any,
  });

  it.each([
    '/',
    '/nope',
    '/org-management',
    '/org-management/nope',
    '/org-managementx/profile',
    '/health',
    '/health/nope',
  ])('answers 404 ROUTE_NOT_FOUND in the envelope for GET %s', async (path) => {
    const res = await answer(await raw('GET', path));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
    expect(envelopeOf(res.body)).toBe(true);
  });

  it.each([
    // `/profile{/:orgId}` matches these paths too: GET is allowed on them.
    ['DELETE', '/org-management/profile/update', 'GET, HEAD, POST, OPTIONS'],
    ['PATCH', '/org-management/profile/customer', 'GET, HEAD, PUT, OPTIONS'],
    ['GET', '/org-management/pre-approved-signups/remove', 'POST, OPTIONS'],
    ['POST', '/org-management/profile/org_abc', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/org-management/profile/addresses', 'GET, HEAD, POST, OPTIONS'],
  ])('answers %s %s with 405 METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
    const res = await answer(await raw(method, path));
    expect({ status: res.status, code: res.body.error?.code, allow: res.allow }).toEqual({
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow,
    });
  });

  it('answers OPTIONS on a known path with 204 and Allow, and HEAD like GET without a body', async () => {
    const options = await raw('OPTIONS', '/org-management/profile');
    expect({ status: options.status, allow: options.headers.get('allow') }).toEqual({
      status: 204,
      allow: 'GET, HEAD, OPTIONS',
    });
    const head = await raw('HEAD', '/org-management/billing/balance');
    expect({ status: head.status, body: await head.text() }).toEqual({ status: 200, body: '' });
  });

  it.each(['%E0%A4%A', '%ZZ', '%ED%A0%80', '%C0%80', 'ab%F0%9F'])(
    'answers a path param of %s (not UTF-8 once decoded) with 400 MALFORMED_REQUEST',
    async (param) => {
      const res = await answer(await raw('GET', `/org-management/check-org-name/${param}`));
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
    },
  );

  it('answers a path param holding a NUL with 400 VALIDATION_FAILED naming the param', async () => {
    const res = await sys.api('GET', '/check-org-name/ab%00cd', { token });
    expect({
      status: res.status,
      fields: res.body.error?.details?.fields?.map((f: { path: string }) => f.path),
    }).toEqual({
      status: 400,
      fields: ['params.orgName'],
    });
  });

  it('still serves /health/live and /metrics', async () => {
    expect((await fetch(`${sys.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${sys.url}/metrics`)).status).toBe(200);
  });

  it.each([
    [
      'a header value with a NUL byte',
      'GET /org-management/profile HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
    [
      'a header name with a space',
      'GET /org-management/profile HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
    ['a broken request line', 'GARBAGE\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    [
      'headers over 16 KiB',
      `GET /org-management/profile HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
  ])('answers %s in the envelope (node refuses it before express)', async (_label, request, status, code) => {
    const res = await rawHttp(sys.url, request);
    expect({ status: res.status, code: res.body?.error?.code, type: res.headers['content-type'] }).toEqual({
      status,
      code,
      type: 'application/json; charset=utf-8',
    });
  });
});

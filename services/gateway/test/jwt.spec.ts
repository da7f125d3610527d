import { mintToken, startTestSystem, TEST_JWT_SECRET, TestSystem } from '@org-mgmt/testing';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';

/** base64url of a JSON value, to hand-craft tokens jose would refuse to sign. */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const inFiveMinutes = () => Math.floor(Date.now() / 1000) + 300;
const standardClaims = () => ({ sub: 'x', iss: 'org-management-test', aud: 'org-management', exp: inFiveMinutes() });

/** Signs exactly the claims given, with the test secret. */
const signClaims = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_JWT_SECRET));

describe('JWT verification at the gateway', () => {
  let sys: TestSystem;
  let valid: string;
  const orgId = 'org_root';

  beforeAll(async () => {
    sys = await startTestSystem();
    valid = await mintToken({ orgId, roles: ['RootAdmin'] });
  });
  afterAll(() => sys?.close());

  const profile = (token?: string, headers?: Record<string, string>) => sys.api('GET', '/profile', { token, headers });

  it('accepts a valid token', async () => {
    expect((await profile(valid)).status).toBe(200);
  });

  const refused: [string, () => Promise<string>][] = [
    ['an expired token', () => mintToken({ orgId }, (j) => j.setExpirationTime(Math.floor(Date.now() / 1000) - 60))],
    ['a token not valid yet', () => mintToken({ orgId }, (j) => j.setNotBefore(Math.floor(Date.now() / 1000) + 600))],
    ['a wrong issuer', () => mintToken({ orgId }, (j) => j.setIssuer('someone-else'))],
    ['a wrong audience', () => mintToken({ orgId }, (j) => j.setAudience('another-api'))],
    [
      'a token signed with another secret',
      () =>
        new SignJWT({ ...standardClaims(), orgId, roles: ['RootAdmin'] })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the')),
    ],
    [
      'alg: none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...standardClaims(), orgId, roles: ['RootAdmin'] })}.`,
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = valid.split('.');
        return `${header}.${b64({ ...standardClaims(), orgId: 'org_other', roles: ['RootAdmin'] })}.${signature}`;
      },
    ],
    [
      'an RS256 token (algorithm not allowed for this key)',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return new SignJWT({ ...standardClaims(), orgId }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      },
    ],
    ['a token without exp', () => signClaims({ ...standardClaims(), exp: undefined, orgId })],
    ['a token without sub', () => signClaims({ ...standardClaims(), sub: undefined, orgId })],
    ['a token without orgId', () => signClaims({ ...standardClaims(), roles: [] })],
    ['a malformed orgId claim', () => signClaims({ ...standardClaims(), orgId: 'root; drop table' })],
    ['roles of the wrong type', () => signClaims({ ...standardClaims(), orgId, roles: 'RootAdmin' })],
    ['an oversized token', async () => `${valid}${'A'.repeat(9000)}`],
    ['garbage', async () => 'not.a.jwt'],
  ];

  it.each(refused)('refuses %s with 401 in the error envelope', async (_case, make) => {
    const res = await profile(await make());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a request without a token with 401', async () => {
    const res = await profile();
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  });

  it('refuses an Authorization header that is not a bearer token with 401', async () => {
    const res = await profile(undefined, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect(res.status).toBe(401);
  });

  it('changes nothing when a write carries a forged token', async () => {
    const forged = `${b64({ alg: 'none' })}.${b64({ ...standardClaims(), orgId, roles: ['RootAdmin'] })}.`;
    const res = await sys.api('POST', '/profile/update', { token: forged, body: { displayName: 'Hacked' } });
    expect(res.status).toBe(401);
    const after = await sys.api('GET', '/profile', { token: valid });
    expect(after.body.company.displayName).toBeNull();
  });

  it('ignores role names it does not know instead of failing', async () => {
    const token = await signClaims({ ...standardClaims(), orgId, roles: ['RootAdmin', 'Astronaut'] });
    expect((await profile(token)).status).toBe(200);
  });
});

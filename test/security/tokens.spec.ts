import { startTestSystem, tally, TEST_AUDIENCE, TEST_ISSUER, TestSystem } from '@org-mgmt/testing';
import { exportJWK, exportSPKI, generateKeyPair, JWTPayload, SignJWT } from 'jose';
import { KeyObject, sign } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { changedTables, settledDigest, stateDigest } from './state';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const KID = 'key-1';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/**
 * Every kind of bad bearer token against a gateway configured like production (a JWKS of RS256
 * keys): each attempts a write as a root operator, each must be 401 UNAUTHENTICATED, and the
 * state read back afterwards must be exactly what it was.
 */
describe('security: tokens', () => {
  let sys: TestSystem;
  let jwks: Server;
  let idp: KeyPair;
  let attacker: KeyPair;
  let publicPem: string;
  const counts = { attacks: 0, rejected401: 0, stateChanged: 0 };

  /** What a root operator's token says, minus what a case removes or replaces. */
  const rootClaims = (): JWTPayload => ({
    sub: 'root-operator',
    orgId: 'org_root',
    roles: ['RootAdmin'],
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    iat: now(),
    exp: now() + 300,
  });

  const signed = (
    claims: JWTPayload,
    key: KeyPair['privateKey'] | Uint8Array = idp.privateKey,
    header: Record<string, unknown> = { alg: 'RS256', kid: KID },
  ) => new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);

  /** Signed by the identity provider's key without jose's checks, for headers and claims jose refuses to write. */
  const rawSigned = (header: Record<string, unknown>, claims: Record<string, unknown>) => {
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), KeyObject.from(idp.privateKey as Parameters<typeof KeyObject.from>[0])).toString('base64url')}`;
  };

  beforeAll(async () => {
    idp = await generateKeyPair('RS256', { extractable: true });
    attacker = await generateKeyPair('RS256', { extractable: true });
    publicPem = await exportSPKI(idp.publicKey);
    const jwk = { ...(await exportJWK(idp.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    sys = await startTestSystem({ env: { JWT_SECRET: '', JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` } });
  });
  afterAll(async () => {
    tally('security: tokens', counts);
    await sys?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const without = (claim: string) => () => {
    const claims = rootClaims();
    delete claims[claim];
    return signed(claims);
  };
  const withClaims = (changes: JWTPayload) => () => signed({ ...rootClaims(), ...changes });
  const tampered = (changes: JWTPayload) => async () => {
    const [header, , signature] = (await signed(rootClaims())).split('.');
    return `${header}.${b64({ ...rootClaims(), ...changes })}.${signature}`;
  };

  const ATTACKS: [string, () => Promise<string>][] = [
    ['alg: none, no signature', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(rootClaims())}.`],
    ['alg: none with a signature part', async () => `${b64({ alg: 'none' })}.${b64(rootClaims())}.${b64('sig')}`],
    ['alg: NONE (case variant)', async () => `${b64({ alg: 'NONE' })}.${b64(rootClaims())}.`],
    [
      'HS256 signed with the public key PEM (algorithm confusion)',
      () => signed(rootClaims(), new TextEncoder().encode(publicPem), { alg: 'HS256', kid: KID }),
    ],
    [
      'HS256 signed with the JWKS document (algorithm confusion)',
      async () =>
        signed(rootClaims(), new TextEncoder().encode(JSON.stringify(await exportJWK(idp.publicKey))), {
          alg: 'HS256',
          kid: KID,
        }),
    ],
    ['expired', withClaims({ exp: now() - 600, iat: now() - 900 })],
    ['expired just beyond the clock tolerance', withClaims({ exp: now() - 30 })],
    ['not yet valid (nbf in the future)', withClaims({ nbf: now() + 600 })],
    ['wrong issuer', withClaims({ iss: 'https://evil.example.com' })],
    ['wrong audience', withClaims({ aud: 'another-api' })],
    ['audience list without ours', withClaims({ aud: ['another-api', 'yet-another'] })],
    ['unknown kid', () => signed(rootClaims(), attacker.privateKey, { alg: 'RS256', kid: 'key-unknown' })],
    ['no kid, signed by another key', () => signed(rootClaims(), attacker.privateKey, { alg: 'RS256' })],
    [
      'the right kid, signed by another key',
      () => signed(rootClaims(), attacker.privateKey, { alg: 'RS256', kid: KID }),
    ],
    [
      'the attacker key embedded in the header (jwk)',
      async () => signed(rootClaims(), attacker.privateKey, { alg: 'RS256', jwk: await exportJWK(attacker.publicKey) }),
    ],
    [
      'a jku header pointing at the attacker',
      () => signed(rootClaims(), attacker.privateKey, { alg: 'RS256', kid: KID, jku: 'http://127.0.0.1:1/jwks.json' }),
    ],
    [
      'kid with path traversal',
      () => signed(rootClaims(), attacker.privateKey, { alg: 'RS256', kid: '../../../../dev/null' }),
    ],
    [
      'an unknown critical header',
      async () => rawSigned({ alg: 'RS256', kid: KID, crit: ['x-custom'], 'x-custom': 1 }, rootClaims()),
    ],
    ['tampered payload (roles raised)', tampered({ sub: 'member', orgId: 'org_root', roles: ['RootAdmin', 'System'] })],
    ['tampered payload (another org)', tampered({ orgId: 'org_other' })],
    [
      'tampered header (alg changed)',
      async () => {
        const [, payload, signature] = (await signed(rootClaims())).split('.');
        return `${b64({ alg: 'RS512', kid: KID })}.${payload}.${signature}`;
      },
    ],
    ['signature stripped', async () => (await signed(rootClaims())).split('.').slice(0, 2).join('.') + '.'],
    // Over the gateway's 8 KiB token limit, under node's 16 KiB header limit (beyond it node answers 431).
    ['oversized token (validly signed, 9 KiB)', withClaims({ padding: 'x'.repeat(6500) })],
    ['missing sub', without('sub')],
    ['missing orgId', without('orgId')],
    ['missing exp', without('exp')],
    ['missing iss', without('iss')],
    ['missing aud', without('aud')],
    ['roles as a string', withClaims({ roles: 'RootAdmin' })],
    ['roles as an object', withClaims({ roles: { RootAdmin: true } })],
    ['roles as an array of objects', withClaims({ roles: [{ name: 'RootAdmin' }] })],
    ['orgId of the wrong type', withClaims({ orgId: ['org_root'] })],
    ['malformed orgId', withClaims({ orgId: "org_root' OR '1'='1" })],
    ['sub of the wrong type', async () => rawSigned({ alg: 'RS256', kid: KID }, { ...rootClaims(), sub: 42 })],
    [
      'exp as a string',
      async () => rawSigned({ alg: 'RS256', kid: KID }, { ...rootClaims(), exp: String(now() + 300) }),
    ],
    ['five segments (JWE shape)', async () => `${await signed(rootClaims())}.extra.segment`],
    ['not base64url', async () => 'not-a-jwt!!.@@@.###'],
    ['JSON that is not an object', async () => `${b64({ alg: 'RS256', kid: KID })}.${b64(['array'])}.${b64('sig')}`],
    ['empty token', async () => ''],
  ];

  const attempt = (token: string) =>
    sys.api('POST', '/profile/update', {
      headers: { authorization: `Bearer ${token}`.trimEnd() },
      body: { displayName: 'Written by a forged token' },
    });

  it('accepts a good token (the control: the attacks below differ from it in one thing each)', async () => {
    const res = await sys.api('GET', '/profile', { token: await signed(rootClaims()) });
    expect(res.status).toBe(200);
  });

  it('refuses every bad token with 401 and changes nothing', async () => {
    const before = await settledDigest(sys);
    const outcomes: string[] = [];
    for (const [name, make] of ATTACKS) {
      const res = await attempt(await make());
      counts.attacks++;
      if (res.status === 401 && res.body?.error?.code === 'UNAUTHENTICATED') counts.rejected401++;
      else outcomes.push(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    for (const header of ['Basic cm9vdDpyb290', `Bearer ${await signed(rootClaims())} extra`, 'Bearer']) {
      const res = await sys.api('POST', '/profile/update', {
        headers: { authorization: header },
        body: { displayName: 'Written by a forged token' },
      });
      counts.attacks++;
      if (res.status === 401) counts.rejected401++;
      else outcomes.push(`authorization "${header.slice(0, 20)}…": ${res.status}`);
    }
    const changed = changedTables(before, await stateDigest(sys));
    counts.stateChanged = changed.length;
    expect(outcomes).toEqual([]);
    expect(changed).toEqual([]);
    const profile = await sys.api('GET', '/profile', { token: await signed(rootClaims()) });
    expect(profile.body.company.displayName).not.toBe('Written by a forged token');
  });

  it('lets the same write through with the good token (so the check above would have seen a change)', async () => {
    const res = await attempt(await signed(rootClaims()));
    expect(res.status).toBe(200);
    const profile = await sys.api('GET', '/profile', { token: await signed(rootClaims()) });
    expect(profile.body.company.displayName).toBe('Written by a forged token');
  });
});

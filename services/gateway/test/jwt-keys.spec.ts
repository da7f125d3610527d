import { loadConfig } from '@org-mgmt/runtime';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { JwtVerifier } from '../src/auth/jwt-verifier';

const ISSUER = 'https://idp.example.com';
const AUDIENCE = 'org-management';
const claims = { orgId: 'org_acme', roles: ['ConfigAdmin'], email: 'a@example.com' };

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

function sign(privateKey: KeyPair['privateKey'] | Uint8Array, alg: string, kid?: string) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setSubject('user-1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('5m')
    .sign(privateKey);
}

const verifierFor = (env: Record<string, string>) =>
  new JwtVerifier(loadConfig({ NODE_ENV: 'test', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, ...env }));

describe('JWT verification with a public key (JWT_PUBLIC_KEY)', () => {
  let rsa: KeyPair;
  let verifier: JwtVerifier;
  let publicPem: string;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    publicPem = await exportSPKI(rsa.publicKey);
    verifier = verifierFor({ JWT_PUBLIC_KEY: publicPem });
  });

  it('accepts an RS256 token signed by the matching private key and reads its claims', async () => {
    await expect(verifier.verify(await sign(rsa.privateKey, 'RS256'))).resolves.toEqual({
      sub: 'user-1',
      orgId: 'org_acme',
      roles: ['ConfigAdmin'],
      email: 'a@example.com',
    });
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const forged = await sign(new TextEncoder().encode(publicPem), 'HS256');
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token signed by another key pair', async () => {
    const other = await generateKeyPair('RS256');
    await expect(verifier.verify(await sign(other.privateKey, 'RS256'))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('reads a PEM given on one line with escaped newlines, as env files carry it', async () => {
    const oneLine = verifierFor({ JWT_PUBLIC_KEY: publicPem.replace(/\n/g, '\\n') });
    await expect(oneLine.verify(await sign(rsa.privateKey, 'RS256'))).resolves.toMatchObject({ orgId: 'org_acme' });
  });
});

describe('JWT verification with a JWKS endpoint (JWT_JWKS_URL)', () => {
  let server: Server;
  let es: KeyPair;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    es = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(es.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    verifier = verifierFor({ JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('accepts a token whose kid is in the key set', async () => {
    await expect(verifier.verify(await sign(es.privateKey, 'ES256', 'key-1'))).resolves.toMatchObject({
      sub: 'user-1',
    });
  });

  it('refuses a token with an unknown kid', async () => {
    const other = await generateKeyPair('ES256');
    await expect(verifier.verify(await sign(other.privateKey, 'ES256', 'key-2'))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });
});

describe('JWT configuration', () => {
  it('refuses to start in production with only a development secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/JWT_SECRET/);
  });
});

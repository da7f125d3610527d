import { loadConfig } from '@org-mgmt/runtime';
import { mintToken, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '@org-mgmt/testing';
import { JwtVerifier } from '../src/auth/jwt-verifier';

/** The verifier remembers tokens it verified; these prove the memory never lets through what verification would refuse. */
describe('JwtVerifier remembers verified tokens', () => {
  const verifier = () =>
    new JwtVerifier(
      loadConfig({
        NODE_ENV: 'test',
        JWT_SECRET: TEST_JWT_SECRET,
        JWT_ISSUER: TEST_ISSUER,
        JWT_AUDIENCE: TEST_AUDIENCE,
      }),
    );
  const start = Date.UTC(2026, 10, 23, 12);

  beforeEach(() => jest.useFakeTimers({ now: start, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('answers a repeated token with the same principal', async () => {
    const jwt = verifier();
    const token = await mintToken({ orgId: 'org_cache1', roles: ['ConfigAdmin'] });
    const first = await jwt.verify(token);
    expect(first).toEqual({
      sub: 'user_org_cache1',
      orgId: 'org_cache1',
      roles: ['ConfigAdmin'],
      email: 'user@example.com',
    });
    await expect(jwt.verify(token)).resolves.toBe(first);
    expect([Object.isFrozen(first), Object.isFrozen(first.roles)]).toEqual([true, true]);
  });

  it('refuses a remembered token once it has expired (with the same 5 s tolerance as verification)', async () => {
    const jwt = verifier();
    const token = await mintToken({ orgId: 'org_cache2' }, (t) => t.setExpirationTime('30s'));
    await jwt.verify(token);
    jest.setSystemTime(start + 34_000);
    await expect(jwt.verify(token)).resolves.toMatchObject({ orgId: 'org_cache2' });
    jest.setSystemTime(start + 36_000);
    await expect(jwt.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('verifies again after a minute, so a token is never trusted from memory for longer', async () => {
    const jwt = verifier();
    const token = await mintToken({ orgId: 'org_cache3' }, (t) =>
      t.setExpirationTime('10m').setNotBefore(start / 1000),
    );
    await jwt.verify(token);
    const reverified = jest.spyOn(
      jwt as unknown as { verifySignedToken: (t: string) => Promise<unknown> },
      'verifySignedToken',
    );
    jest.setSystemTime(start + 59_000);
    await jwt.verify(token);
    expect(reverified).not.toHaveBeenCalled();
    jest.setSystemTime(start + 61_000);
    await jwt.verify(token);
    expect(reverified).toHaveBeenCalledTimes(1);
  });

  it('never remembers a refused token, and a tampered copy of a remembered one is refused', async () => {
    const jwt = verifier();
    const token = await mintToken({ orgId: 'org_cache4' });
    await jwt.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['RootAdmin'] }),
    ).toString('base64url');
    await expect(jwt.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(jwt.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

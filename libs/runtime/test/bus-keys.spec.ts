import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import {
  AssertionSigner,
  AssertionVerifier,
  BusKeyError,
  developmentBusKeys,
  formatKeyList,
  generateBusKeys,
  loadBusKeys,
  parseKeyList,
  requireKeys,
} from '../src';

describe('bus keys', () => {
  it('round-trips a key list through BUS_SIGNING_KEYS / BUS_TRUSTED_KEYS text', () => {
    const keys = generateBusKeys();
    const loaded = loadBusKeys({
      NODE_ENV: 'production',
      BUS_SIGNING_KEYS: formatKeyList(keys.signing),
      BUS_TRUSTED_KEYS: formatKeyList(keys.trusted),
      DATA_DIR: '/nonexistent',
    });
    expect([...loaded.signing.keys()]).toEqual(['gateway', 'orgs', 'billing', 'subscriptions', 'transfers']);
    expect(formatKeyList(loaded.trusted)).toBe(formatKeyList(keys.trusted));
  });

  it.each([
    ['an unknown signer', 'intruder=MC4CAQAwBQYDK2VwBCIEIHeThmjnbIDleBVufixm0b/O349Y5DsgN3OWTARGGDvI', /not one of/],
    ['no key after the name', 'gateway', /followed by/],
    ['bytes that are no key', 'gateway=bm90IGEga2V5', /not a base64 PKCS#8/],
    [
      'a key of another type',
      `gateway=${generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`,
      /must be an Ed25519 key/,
    ],
  ])('refuses %s, naming the variable', (_case, text, message) => {
    expect(() => parseKeyList(text, 'private', 'BUS_SIGNING_KEYS')).toThrow(BusKeyError);
    expect(() => parseKeyList(text, 'private', 'BUS_SIGNING_KEYS')).toThrow(message);
  });

  it('makes development keys once under DATA_DIR, readable by the owner only, and reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'om-bus-keys-'));
    try {
      const first = developmentBusKeys(dir);
      const again = developmentBusKeys(dir);
      expect(formatKeyList(again.signing)).toBe(formatKeyList(first.signing));
      expect(statSync(join(dir, 'bus-keys.json')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a process that lacks the key of a signer it runs as, or trust in a caller', () => {
    const { signing, trusted } = generateBusKeys();
    const onlyOrgs = { signing: new Map([['orgs' as const, signing.get('orgs')!]]), trusted };
    expect(() => requireKeys(onlyOrgs, ['orgs'], ['gateway'])).not.toThrow();
    expect(() => requireKeys(onlyOrgs, ['orgs', 'gateway'], [])).toThrow(/no key for gateway/);
    expect(() => requireKeys({ signing, trusted: new Map() }, ['orgs'], ['gateway'])).toThrow(
      /BUS_TRUSTED_KEYS has no key for gateway/,
    );
  });

  it('requires both key settings in production, and makes no development keys there', () => {
    const { trusted } = generateBusKeys();
    expect(() => loadBusKeys({ NODE_ENV: 'production', DATA_DIR: '/nonexistent' })).toThrow(
      /BUS_SIGNING_KEYS and BUS_TRUSTED_KEYS required in production/,
    );
    expect(() =>
      loadBusKeys({ NODE_ENV: 'production', BUS_TRUSTED_KEYS: formatKeyList(trusted), DATA_DIR: '/nonexistent' }),
    ).toThrow(/BUS_SIGNING_KEYS required/);
  });
});

describe('identity assertions', () => {
  const keys = generateBusKeys();
  const alice = { sub: 'alice', orgId: 'org_a', roles: ['ConfigAdmin' as const] };

  it('reuses one assertion per principal and service for half its lifetime, then signs a new one', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const signer = new AssertionSigner(keys.signing, () => now);
    const first = await signer.assertionFor(alice, 'billing');
    expect(await signer.assertionFor(alice, 'billing')).toBe(first);
    expect(await signer.assertionFor(alice, 'orgs')).not.toBe(first);
    now += 31_000;
    expect(await signer.assertionFor(alice, 'billing')).not.toBe(first);
  });

  it('refuses a remembered assertion once it has expired, and one presented to another service', async () => {
    let now = Date.now();
    const signer = new AssertionSigner(keys.signing, () => now);
    const verifier = new AssertionVerifier(keys.trusted, 'org_root', () => now);
    const assertion = await signer.assertionFor(alice, 'billing');
    await expect(verifier.verify(assertion, 'billing', alice)).resolves.toEqual(alice);
    await expect(verifier.verify(assertion, 'orgs', alice)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    now += 66_000;
    await expect(verifier.verify(assertion, 'billing', alice)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('signs with nothing it holds no key for', async () => {
    const signer = new AssertionSigner(new Map());
    await expect(signer.assertionFor(alice, 'billing')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

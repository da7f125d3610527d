import { BillingEndpoints, OrgsEndpoints, Principal } from '@org-mgmt/contracts';
import { AssertionSigner, BusSigner, generateBusKeys, NatsRpcClient, RpcClient } from '@org-mgmt/runtime';
import { signedRpcClient, startTestSystem, tally, TestSystem, testBusKeys } from '@org-mgmt/testing';
import { SignJWT } from 'jose';
import { KeyObject } from 'node:crypto';

/**
 * Distributed mode with no NATS authentication at all: a client that reaches NATS can put any
 * message on any subject, so the signature on the identity assertion is the only thing between a
 * forged principal and the services. Every forgery must be refused and change nothing.
 */
describe('identity assertions on the bus', () => {
  let sys: TestSystem;
  let bare: NatsRpcClient;
  let signed: RpcClient;
  let victim: string;
  const root = () => sys.config.ROOT_ORG_ID;
  const forgedRoot = (): Principal => ({ sub: 'forged', orgId: root(), roles: ['RootAdmin'] });

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: true });
    bare = new NatsRpcClient(sys.env.NATS_URL, sys.env.NATS_SUBJECT_PREFIX, 5000);
    await bare.connect();
    signed = await signedRpcClient(sys.env);
    victim = (await sys.registerOrg()).id;
  }, 90_000);

  afterAll(async () => {
    await bare?.close();
    await signed?.close();
    await sys?.close();
  });

  const register = (requestId: string) => ({
    orgId: null,
    requestId,
    body: { companyName: `Forged ${requestId}`, ownerEmail: `${requestId}@example.com` },
  });
  const gift = (requestId: string) => ({
    orgId: null,
    requestId,
    body: { orgId: victim, amount: 100_000_000, currency: 'USD', reason: 'forged' },
  });

  /** Org count and the victim's ledger: what a forgery would change. */
  async function state() {
    const [{ count: orgs }] = await sys.db('orgs')('organizations').count({ count: '*' });
    const [{ count: entries }] = await sys
      .db('billing')('ledger_entries')
      .where({ org_id: victim })
      .count({ count: '*' });
    return { orgs: Number(orgs), entries: Number(entries) };
  }

  function sign(
    signer: BusSigner,
    key: KeyObject,
    principal: Principal | null,
    audience: string,
    lifetimeS = 60,
    issuedAgoS = 0,
    kid: BusSigner = signer,
  ) {
    const iat = Math.floor(Date.now() / 1000) - issuedAgoS;
    return new SignJWT({ p: principal })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer(signer)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeS)
      .sign(key);
  }

  const ownKey = (signer: BusSigner) => testBusKeys().signing.get(signer)!;
  const intruderKey = generateBusKeys().signing.get('gateway')!;
  const system = (signer: string): Principal => ({ sub: `service:${signer}`, orgId: root(), roles: ['System'] });

  type Forgery = {
    name: string;
    expected: 'UNAUTHENTICATED' | 'FORBIDDEN';
    assertion: (audience: string) => Promise<string | undefined>;
    principal?: () => Principal;
  };
  const forgeries: Forgery[] = [
    { name: 'forged RootAdmin with no assertion', expected: 'UNAUTHENTICATED', assertion: async () => undefined },
    {
      name: 'forged System with no assertion',
      expected: 'UNAUTHENTICATED',
      assertion: async () => undefined,
      principal: () => system('transfers'),
    },
    {
      name: 'an assertion signed with a key nobody trusts',
      expected: 'UNAUTHENTICATED',
      assertion: (aud) => sign('gateway', intruderKey, forgedRoot(), aud),
    },
    {
      name: 'an expired assertion',
      expected: 'UNAUTHENTICATED',
      assertion: (aud) => sign('gateway', ownKey('gateway'), forgedRoot(), aud, 60, 120),
    },
    {
      name: 'an assertion living longer than 60 s',
      expected: 'UNAUTHENTICATED',
      assertion: (aud) => sign('gateway', ownKey('gateway'), forgedRoot(), aud, 3600),
    },
    {
      name: 'an assertion issued an hour in the future',
      expected: 'UNAUTHENTICATED',
      assertion: (aud) => sign('gateway', ownKey('gateway'), forgedRoot(), aud, 60, -3600),
    },
    {
      name: 'an assertion meant for another service',
      expected: 'UNAUTHENTICATED',
      assertion: () => sign('gateway', ownKey('gateway'), forgedRoot(), 'transfers'),
    },
    {
      name: 'a member assertion sent with a RootAdmin principal',
      expected: 'UNAUTHENTICATED',
      assertion: (aud) => sign('gateway', ownKey('gateway'), { sub: 'forged', orgId: root(), roles: [] }, aud),
    },
    { name: 'a garbled assertion', expected: 'UNAUTHENTICATED', assertion: async () => 'not.a.jws' },
    {
      name: 'a service claiming a user role',
      expected: 'FORBIDDEN',
      assertion: (aud) => sign('billing', ownKey('billing'), forgedRoot(), aud),
    },
    {
      name: 'a service claiming a root role in its own name',
      expected: 'FORBIDDEN',
      assertion: (aud) => sign('billing', ownKey('billing'), { ...system('billing'), roles: ['RootAdmin'] }, aud),
      principal: () => ({ ...system('billing'), roles: ['RootAdmin'] }),
    },
    {
      name: "a service claiming another service's System principal",
      expected: 'FORBIDDEN',
      assertion: (aud) => sign('billing', ownKey('billing'), system('transfers'), aud),
      principal: () => system('transfers'),
    },
    {
      name: "a service's key naming the gateway as the signer",
      expected: 'UNAUTHENTICATED',
      assertion: (aud) => sign('gateway', ownKey('transfers'), forgedRoot(), aud, 60, 0, 'transfers'),
    },
  ];

  const targets = [
    { def: OrgsEndpoints.orgRegister, message: register },
    { def: BillingEndpoints.giftCredits, message: gift },
  ];

  it.each(forgeries)('refuses $name and changes nothing', async (forgery) => {
    const before = await state();
    for (const { def, message } of targets) {
      const principal = forgery.principal?.() ?? forgedRoot();
      const assertion = await forgery.assertion(def.service);
      const result = await bare.request(def.pattern, {
        ...message(`forge-${Math.random().toString(36).slice(2)}`),
        principal,
        assertion,
      });
      expect(result).toMatchObject({ ok: false, error: { code: forgery.expected } });
      tally('Bus identity', { 'forgeries refused': 1 });
    }
    expect(await state()).toEqual(before);
  });

  it('answers a correctly signed operator request (the control case)', async () => {
    const before = await state();
    const result = await signed.request(BillingEndpoints.giftCredits.pattern, {
      ...gift('signed-gift'),
      principal: forgedRoot(),
    });
    expect(result).toMatchObject({ ok: true });
    expect((await state()).entries).toBeGreaterThan(before.entries);
  });

  it('refuses a replayed assertion for another principal even while it is fresh', async () => {
    const signer = new AssertionSigner(testBusKeys().signing);
    const member: Principal = { sub: 'member', orgId: victim, roles: [] };
    const assertion = await signer.assertionFor(member, 'billing');
    const result = await bare.request(BillingEndpoints.giftCredits.pattern, {
      ...gift('replay'),
      principal: forgedRoot(),
      assertion,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

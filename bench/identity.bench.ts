/**
 * What the bus identity assertion costs per request, for the two ways of using it (docs/decisions/0002):
 * one assertion reused per principal and target service for half its lifetime
 * (what the system does), against one signed for each request and bound to its request id.
 * Both sign with the gateway's key and verify in the service, in this one process.
 */
import { Principal } from '@org-mgmt/contracts';
import { AssertionSigner, AssertionVerifier, generateBusKeys } from '@org-mgmt/runtime';
import { SignJWT } from 'jose';

const REQUESTS = Number(process.env.BENCH_IDENTITY_REQUESTS ?? 20_000);
/** Distinct callers in the run: a steady population of users, each calling many times. */
const PRINCIPALS = 200;

const principals: Principal[] = Array.from({ length: PRINCIPALS }, (_, i) => ({
  sub: `user_${i}`,
  orgId: `org_${i}`,
  roles: ['ConfigAdmin'],
}));

async function timePerRequest(run: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 500; i++) await run(i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) await run(i);
  return Number(process.hrtime.bigint() - started) / 1000 / REQUESTS;
}

export default async function identityBench(): Promise<void> {
  const keys = generateBusKeys();
  const gatewayKey = keys.signing.get('gateway')!;

  const signer = new AssertionSigner(keys.signing);
  const verifier = new AssertionVerifier(keys.trusted, 'org_root');
  const reused = await timePerRequest(async (i) => {
    const principal = principals[i % PRINCIPALS];
    await verifier.verify(await signer.assertionFor(principal, 'billing'), 'billing', principal);
  });

  // A bound assertion is never presented twice, so the verifier's cache never hits.
  const perRequestVerifier = new AssertionVerifier(keys.trusted, 'org_root');
  const bound = await timePerRequest(async (i) => {
    const principal = principals[i % PRINCIPALS];
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ p: principal, rid: `req-${i}`, pat: 'billing.balance.get' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'gateway' })
      .setIssuer('gateway')
      .setAudience('billing')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(gatewayKey);
    await perRequestVerifier.verify(token, 'billing', principal);
  });

  process.stdout.write(
    [
      `${REQUESTS} requests from ${PRINCIPALS} principals, sign (gateway) + verify (service) in one process:`,
      `  reused per principal and service (the system): ${reused.toFixed(1)} µs per request`,
      `  bound to each request (sign + verify every time): ${bound.toFixed(1)} µs per request (${(bound / reused).toFixed(0)}x)`,
      `  at 2,000 requests/s, bound assertions would take ${((bound * 2000) / 1e4).toFixed(1)}% of a core; reused ${((reused * 2000) / 1e4).toFixed(2)}%`,
    ].join('\n') + '\n',
  );
}

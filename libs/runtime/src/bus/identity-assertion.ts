import { AppError, Principal, PrincipalSchema, ServiceName } from '@org-mgmt/contracts';
import { jwtVerify, SignJWT } from 'jose';
import { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { BUS_SIGNERS, BusSigner } from './bus-keys';

/** An assertion lives this long; the signer hands out the same one for the first half of that. */
export const ASSERTION_LIFETIME_S = 60;
const REUSE_FOR_MS = (ASSERTION_LIFETIME_S / 2) * 1000;
const CLOCK_TOLERANCE_S = 5;
const CACHE_SIZE = 10_000;
export const MAX_ASSERTION_LENGTH = 4096;

const SYSTEM_SUB_PREFIX = 'service:';

/** The principal a service (or the gateway) acting on its own asserts: System of the root org, in its own name. */
export function systemPrincipal(signer: BusSigner, rootOrgId: string): Principal {
  return { sub: `${SYSTEM_SUB_PREFIX}${signer}`, orgId: rootOrgId, roles: ['System'] };
}

/** Who signs for a principal: a service for its own System principal, the gateway for users and anonymous callers. */
export function signerFor(principal: Principal | null): BusSigner {
  const named = principal?.sub.startsWith(SYSTEM_SUB_PREFIX)
    ? principal.sub.slice(SYSTEM_SUB_PREFIX.length)
    : undefined;
  return named && (BUS_SIGNERS as readonly string[]).includes(named) ? (named as BusSigner) : 'gateway';
}

/**
 * What each signer may assert: the gateway, the principals it verified from JWTs (and anonymous
 * callers of public endpoints); every signer, System of the root org in its own name. No one may
 * assert a `service:` principal other than its own.
 */
export function mayAssert(signer: BusSigner, principal: Principal | null, rootOrgId: string): boolean {
  if (principal === null) return signer === 'gateway';
  if (principal.sub === `${SYSTEM_SUB_PREFIX}${signer}`) {
    return principal.orgId === rootOrgId && principal.roles.length === 1 && principal.roles[0] === 'System';
  }
  return signer === 'gateway' && !principal.sub.startsWith(SYSTEM_SUB_PREFIX);
}

const PayloadSchema = z.object({ iss: z.enum(BUS_SIGNERS), p: PrincipalSchema.nullable() });

/**
 * Signs identity assertions: an EdDSA JWT `{iss: signer, aud: target service, p: principal}` that
 * expires within ASSERTION_LIFETIME_S. One assertion per (signer, principal, target service) is
 * reused for half its lifetime, so a steady caller costs one signature per 30 s, not per request
 * (docs/security.md "Trust inside the bus" weighs this against binding each assertion to its request).
 */
export class AssertionSigner {
  private readonly issued = new Map<string, { token: string; reuseUntil: number }>();

  constructor(
    private readonly keys: ReadonlyMap<BusSigner, KeyObject>,
    private readonly now: () => number = Date.now,
  ) {}

  async assertionFor(principal: Principal | null, audience: string): Promise<string> {
    const signer = signerFor(principal);
    const cacheKey = `${audience} ${signer} ${principalKey(principal)}`;
    const cached = this.issued.get(cacheKey);
    if (cached && cached.reuseUntil > this.now()) return cached.token;
    const token = await this.sign(signer, principal, audience);
    if (this.issued.size >= CACHE_SIZE) this.issued.delete(this.issued.keys().next().value!);
    this.issued.set(cacheKey, { token, reuseUntil: this.now() + REUSE_FOR_MS });
    return token;
  }

  private async sign(signer: BusSigner, principal: Principal | null, audience: string): Promise<string> {
    const key = this.keys.get(signer);
    if (!key) throw new AppError('UNAUTHENTICATED', `This process holds no bus signing key for ${signer}`);
    const issuedAt = Math.floor(this.now() / 1000);
    return new SignJWT({ p: principal })
      .setProtectedHeader({ alg: 'EdDSA', kid: signer })
      .setIssuer(signer)
      .setAudience(audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S)
      .sign(key);
  }
}

/**
 * Checks the assertion on an incoming RPC: signed by a trusted signer, for this service, unexpired,
 * naming exactly the principal the message claims, and something that signer may assert. Verified
 * assertions are remembered until they expire, so a reused assertion costs a map lookup.
 */
export class AssertionVerifier {
  private readonly verified = new Map<string, { principal: Principal | null; audience: string; validUntil: number }>();

  constructor(
    private readonly trusted: ReadonlyMap<BusSigner, KeyObject>,
    private readonly rootOrgId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves with the asserted principal; refuses with UNAUTHENTICATED or FORBIDDEN. */
  async verify(assertion: unknown, audience: ServiceName, claimed: unknown): Promise<Principal | null> {
    if (typeof assertion !== 'string' || assertion.length === 0)
      throw unauthenticated('the request carries no identity assertion');
    if (assertion.length > MAX_ASSERTION_LENGTH) throw unauthenticated('identity assertion too large');
    const principal = await this.principalOf(assertion, audience);
    if (principalKey(principal) !== principalKey(parseClaimed(claimed))) {
      throw unauthenticated('the principal does not match its identity assertion');
    }
    return principal;
  }

  private async principalOf(assertion: string, audience: ServiceName): Promise<Principal | null> {
    const remembered = this.verified.get(assertion);
    if (remembered && remembered.validUntil > this.now()) {
      if (remembered.audience !== audience) throw unauthenticated('identity assertion meant for another service');
      return remembered.principal;
    }
    this.verified.delete(assertion);
    const { signer, principal, expiresAt } = await this.verifySignature(assertion, audience);
    if (!mayAssert(signer, principal, this.rootOrgId)) {
      throw new AppError('FORBIDDEN', `${signer} may not assert this principal`);
    }
    if (this.verified.size >= CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(assertion, { principal, audience, validUntil: expiresAt });
    return principal;
  }

  private async verifySignature(assertion: string, audience: ServiceName) {
    let payload: unknown;
    let kid: string | undefined;
    try {
      ({
        payload,
        protectedHeader: { kid },
      } = await jwtVerify(assertion, (header) => this.keyOf(header.kid), {
        algorithms: ['EdDSA'],
        audience,
        requiredClaims: ['exp', 'iat', 'iss'],
        maxTokenAge: ASSERTION_LIFETIME_S + CLOCK_TOLERANCE_S,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw unauthenticated(`identity assertion refused (${(err as { code?: string }).code ?? 'invalid'})`);
    }
    const parsed = PayloadSchema.safeParse(payload);
    if (!parsed.success) throw unauthenticated('identity assertion has malformed claims');
    // The key that verified it decides who signed it: a signer naming another in `iss` asserts nothing.
    if (parsed.data.iss !== kid) throw unauthenticated('identity assertion names a signer other than its key');
    const { exp, iat } = payload as { exp: number; iat: number };
    if (exp - iat > ASSERTION_LIFETIME_S)
      throw unauthenticated(`identity assertion lives longer than ${ASSERTION_LIFETIME_S} s`);
    return { signer: parsed.data.iss, principal: parsed.data.p, expiresAt: (exp + CLOCK_TOLERANCE_S) * 1000 };
  }

  private keyOf(kid: string | undefined): KeyObject {
    const key = kid ? this.trusted.get(kid as BusSigner) : undefined;
    if (!key) throw unauthenticated('identity assertion from an untrusted signer');
    return key;
  }
}

function parseClaimed(claimed: unknown): Principal | null {
  if (claimed === null || claimed === undefined) return null;
  const parsed = PrincipalSchema.safeParse(claimed);
  if (!parsed.success) throw unauthenticated('the principal does not match its identity assertion');
  return parsed.data;
}

/** Identity of a principal for comparison and caching: sub, org, roles and email in a fixed order. */
function principalKey(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  return JSON.stringify([principal.sub, principal.orgId, principal.roles, principal.email ?? null]);
}

function unauthenticated(message: string): AppError {
  return new AppError('UNAUTHENTICATED', message);
}

import { AppError, ORG_ID_PATTERN, Principal, ROLES, Role } from '@org-mgmt/contracts';
import { AppConfig } from '@org-mgmt/runtime';
import { createRemoteJWKSet, jwtVerify, JWTVerifyGetKey } from 'jose';
import { createPublicKey, KeyObject } from 'node:crypto';
import { z } from 'zod';

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

/** How many verified tokens the gateway remembers, and for how long at most (a key taken out of the JWKS stops counting within that). */
const VERIFIED_CACHE_SIZE = 2000;
const VERIFIED_CACHE_TTL_MS = 60_000;
const CLOCK_TOLERANCE_S = 5;

const ClaimsSchema = z.object({
  // `service:` subjects are the services' own System principals on the bus; no user token may claim one.
  sub: z
    .string()
    .min(1)
    .max(200)
    .refine((sub) => !sub.startsWith('service:')),
  orgId: z.string().regex(ORG_ID_PATTERN),
  roles: z.array(z.string().max(100)).max(50).optional(),
  email: z.string().max(254).optional(),
});

type VerificationKey = { key: JWTVerifyGetKey | KeyObject | Uint8Array; algorithms: string[] };

function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256'];
    case 'ec':
      return ['ES256'];
    case 'ed25519':
      return ['EdDSA'];
    default:
      throw new Error(`JWT_PUBLIC_KEY: unsupported key type ${key.asymmetricKeyType}`);
  }
}

/** JWKS, else a PEM public key, else the HS256 secret (development only; config refuses it in production). */
function verificationKey(config: AppConfig, devSecret?: string): VerificationKey {
  if (config.JWT_JWKS_URL) {
    return { key: createRemoteJWKSet(new URL(config.JWT_JWKS_URL)), algorithms: ['RS256', 'ES256', 'EdDSA'] };
  }
  if (config.JWT_PUBLIC_KEY) {
    const key = createPublicKey(config.JWT_PUBLIC_KEY.replace(/\\n/g, '\n'));
    return { key, algorithms: algorithmsFor(key) };
  }
  const secret = config.JWT_SECRET ?? devSecret;
  if (!secret) throw new Error('No JWT verification key: set JWT_JWKS_URL, JWT_PUBLIC_KEY or JWT_SECRET');
  return { key: new TextEncoder().encode(secret), algorithms: ['HS256'] };
}

/**
 * Verifies bearer tokens from the platform's identity provider and turns them into a Principal. A
 * client reuses its token for many requests, so verified tokens are remembered (least recently used
 * first out) until they expire or for a minute, whichever comes first: the signature is checked once,
 * not on every request. Refused tokens are never remembered.
 */
export class JwtVerifier {
  private readonly verification: VerificationKey;
  private readonly verified = new Map<string, { principal: Principal; validUntil: number }>();

  constructor(
    private readonly config: AppConfig,
    devSecret?: string,
  ) {
    this.verification = verificationKey(config, devSecret);
  }

  async verify(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('token too large');
    const remembered = this.verified.get(token);
    if (remembered && remembered.validUntil > Date.now()) {
      this.verified.delete(token);
      this.verified.set(token, remembered);
      return remembered.principal;
    }
    this.verified.delete(token);
    const { principal, expiresAt } = await this.verifySignedToken(token);
    this.remember(token, principal, Math.min(expiresAt, Date.now() + VERIFIED_CACHE_TTL_MS));
    return principal;
  }

  private remember(token: string, principal: Principal, validUntil: number): void {
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, validUntil });
  }

  private async verifySignedToken(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let payload: { exp?: number };
    try {
      ({ payload } = await jwtVerify(token, this.verification.key as KeyObject, {
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        algorithms: this.verification.algorithms,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (err) {
      throw unauthenticated((err as { code?: string }).code ?? 'verification failed');
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw unauthenticated('missing or malformed claims (sub, orgId, roles)');
    const { sub, orgId, roles = [], email } = claims.data;
    // Frozen: a remembered principal is shared by every request that presents the token.
    const counted = Object.freeze(roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r))) as Role[];
    const principal: Principal = Object.freeze({ sub, orgId, roles: counted, email });
    return { principal, expiresAt: (payload.exp! + CLOCK_TOLERANCE_S) * 1000 };
  }
}

function unauthenticated(reason: string): AppError {
  return new AppError('UNAUTHENTICATED', `Invalid bearer token: ${reason}`);
}

import { Role } from '@org-mgmt/contracts';
import { SignJWT } from 'jose';

export const TEST_JWT_SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const TEST_ISSUER = 'org-management-test';
export const TEST_AUDIENCE = 'org-management';

export interface TokenClaims {
  sub?: string;
  orgId: string;
  roles?: Role[];
  email?: string;
}

/** A valid token for the test system; `customise` may break it on purpose. */
export async function mintToken(claims: TokenClaims, customise?: (jwt: SignJWT) => SignJWT): Promise<string> {
  let jwt = new SignJWT({ orgId: claims.orgId, roles: claims.roles ?? [], email: claims.email ?? 'user@example.com' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? `user_${claims.orgId}`)
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('10m');
  if (customise) jwt = customise(jwt);
  return jwt.sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

import { dataDirFileOnce } from '@org-mgmt/runtime';
import { randomBytes } from 'node:crypto';

/**
 * The HS256 secret of a development install without JWT configuration: made once, kept under
 * DATA_DIR so `npm run token` signs what `npm start` verifies. Never used in production.
 */
export function developmentSecret(dataDir: string): string {
  return dataDirFileOnce(dataDir, 'dev-jwt-secret', () => randomBytes(32).toString('base64url')).trim();
}

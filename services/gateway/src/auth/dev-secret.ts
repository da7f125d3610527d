import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The HS256 secret of a development install without JWT configuration: made once, kept under
 * DATA_DIR so `npm run token` signs what `npm start` verifies. Never used in production.
 */
export function developmentSecret(dataDir: string): string {
  const dir = resolve(dataDir);
  const file = join(dir, 'dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

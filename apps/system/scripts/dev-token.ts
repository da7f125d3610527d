/**
 * `npm run token -- --org org_root --roles RootAdmin,ConfigAdmin [--sub user_1] [--email a@b.c] [--ttl 3600]`
 * prints a development JWT signed with JWT_SECRET or the development secret under DATA_DIR.
 * Refused when NODE_ENV=production: production tokens come from the identity provider.
 */
import { developmentSecret } from '@org-mgmt/gateway';
import { loadConfig } from '@org-mgmt/runtime';
import { SignJWT } from 'jose';
import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.NODE_ENV === 'production') throw new Error('Refusing to mint a development token in production');
  const { values } = parseArgs({
    options: {
      org: { type: 'string', default: config.ROOT_ORG_ID },
      roles: { type: 'string', default: '' },
      sub: { type: 'string', default: 'dev-user' },
      email: { type: 'string', default: 'dev@example.com' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const secret = config.JWT_SECRET ?? developmentSecret(config.DATA_DIR);
  const roles = values
    .roles!.split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const token = await new SignJWT({ orgId: values.org, roles, email: values.email })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(values.sub!)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${Number(values.ttl)}s`)
    .sign(new TextEncoder().encode(secret));
  process.stdout.write(`${token}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

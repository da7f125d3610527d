/**
 * `npm start`: the whole system in one process. Embedded PostgreSQL under DATA_DIR and the
 * in-process bus unless DATABASE_URL / NATS_URL name real ones. Refused with NODE_ENV=production
 * unless both do: neither embedded part is fit for production.
 */
import { developmentSecret } from '@org-mgmt/gateway';
import { createLogger, loadConfig, startEmbeddedPostgres } from '@org-mgmt/runtime';
import { connectBus, SERVICE_NAMES, startSystem } from '../src';
import { tokenHint } from './token-command';

async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = (['DATABASE_URL', 'NATS_URL'] as const).filter((name) => !config[name]);
  if (embedded.length && config.NODE_ENV === 'production') {
    throw new Error(
      `Embedded mode is refused with NODE_ENV=production: set ${embedded.join(' and ')} (a real PostgreSQL and NATS)`,
    );
  }
  const logger = createLogger(config.LOG_LEVEL, 'org-management');
  const started = Date.now();
  const embeddedDb = config.DATABASE_URL ? undefined : await startEmbeddedPostgres(config.DATA_DIR);
  const usesDevSecret = !config.JWT_JWKS_URL && !config.JWT_PUBLIC_KEY && !config.JWT_SECRET;
  if (usesDevSecret && config.NODE_ENV === 'production') {
    throw new Error('No JWT verification key: set JWT_JWKS_URL or JWT_PUBLIC_KEY');
  }
  const system = await startSystem({
    config,
    databaseUrl: config.DATABASE_URL ?? embeddedDb!.url,
    bus: await connectBus(config, logger),
    logger,
    services: SERVICE_NAMES,
    gateway: true,
    devSecret: usesDevSecret ? developmentSecret(config.DATA_DIR) : undefined,
  });
  const url = system.gateway!.url;
  process.stdout.write(
    [
      '',
      `Org Management is running (${config.DATABASE_URL ? 'external' : 'embedded'} PostgreSQL, ${config.NATS_URL ? 'NATS' : 'in-process'} bus) in ${Date.now() - started} ms`,
      `  API:     ${url}/org-management`,
      `  Docs:    ${url}/org-management/docs`,
      `  Health:  ${url}/health/ready`,
      ...tokenHint(config, `${url}/org-management`),
      '',
    ].join('\n') + '\n',
  );
  const stop = async () => {
    await system.close();
    await embeddedDb?.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

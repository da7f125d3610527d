/**
 * One process of the distributed deployment: `start-service.ts <gateway|orgs|billing|subscriptions|transfers>`
 * (or the SERVICE environment variable, as container images set it).
 * Needs NATS_URL and DATABASE_URL (the gateway needs only NATS_URL).
 */
import { ServiceName } from '@org-mgmt/contracts';
import { createLogger, loadConfig, natsBus } from '@org-mgmt/runtime';
import { SERVICE_NAMES, startSystem } from '@org-mgmt/system';

async function main(): Promise<void> {
  const name = process.argv[2] ?? process.env.SERVICE ?? '';
  const isGateway = name === 'gateway';
  if (!isGateway && !SERVICE_NAMES.includes(name as ServiceName)) {
    throw new Error(`Usage: start-service.ts <gateway|${SERVICE_NAMES.join('|')}>`);
  }
  const config = loadConfig();
  if (!config.NATS_URL) throw new Error('NATS_URL is required for a separate service process');
  if (!isGateway && !config.DATABASE_URL) throw new Error('DATABASE_URL is required for a service process');
  const logger = createLogger(config.LOG_LEVEL, isGateway ? 'gateway' : name);
  const system = await startSystem({
    config,
    databaseUrl: config.DATABASE_URL ?? '',
    bus: await natsBus(config, config.NATS_URL, logger),
    logger,
    services: isGateway ? [] : [name as ServiceName],
    gateway: isGateway,
  });
  logger.info({ port: system.gateway?.port }, `${name} started`);
  const stop = async () => {
    await system.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

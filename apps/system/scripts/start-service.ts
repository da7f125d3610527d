/**
 * One process of the distributed deployment: `start-service.ts <gateway|orgs|billing|subscriptions|transfers|k8s-teardown>`
 * (or the SERVICE environment variable, as container images set it).
 * Needs NATS_URL and DATABASE_URL (the gateway and the k8s-teardown worker need only NATS_URL).
 */
import { ServiceName } from '@org-mgmt/contracts';
import { AppConfig, createLogger, loadConfig, natsBus } from '@org-mgmt/runtime';
import { SERVICE_NAMES, startSystem } from '../src';

const TEARDOWN_WORKER = 'k8s-teardown';

async function main(): Promise<void> {
  const name = process.argv[2] ?? process.env.SERVICE ?? '';
  const isGateway = name === 'gateway';
  if (!isGateway && name !== TEARDOWN_WORKER && !SERVICE_NAMES.includes(name as ServiceName)) {
    throw new Error(`Usage: start-service.ts <gateway|${SERVICE_NAMES.join('|')}|${TEARDOWN_WORKER}>`);
  }
  const config = loadConfig();
  if (name === TEARDOWN_WORKER) return startWorker(config);
  if (!config.NATS_URL) throw new Error('NATS_URL is required for a separate service process');
  if (!isGateway && !config.DATABASE_URL) throw new Error('DATABASE_URL is required for a service process');
  const logger = createLogger(config.LOG_LEVEL, isGateway ? 'gateway' : name);
  const system = await startSystem({
    config,
    databaseUrl: config.DATABASE_URL ?? '',
    bus: await natsBus(config, config.NATS_URL, logger, undefined, !isGateway),
    logger,
    services: isGateway ? [] : [name as ServiceName],
    gateway: isGateway,
  });
  logger.info({ port: system.gateway?.port }, `${name} started`);
  stopOnSignal(() => system.close());
}

/** The worker that tears down deleted orgs' Kubernetes resources (README "Kubernetes teardown"). */
async function startWorker(config: AppConfig): Promise<void> {
  // Loaded only here: the other processes never load the Kubernetes client.
  const { loadTeardownConfig, startTeardownWorker } = await import('@org-mgmt/k8s-teardown');
  const logger = createLogger(config.LOG_LEVEL, TEARDOWN_WORKER);
  const worker = await startTeardownWorker({ config, teardown: loadTeardownConfig(), logger });
  logger.info({ healthPort: worker.health?.port }, `${TEARDOWN_WORKER} started`);
  stopOnSignal(() => worker.close());
}

function stopOnSignal(close: () => Promise<void>): void {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

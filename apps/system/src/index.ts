import { ServiceName } from '@org-mgmt/contracts';
import { billingService } from '@org-mgmt/billing';
import { RunningGateway, startGateway } from '@org-mgmt/gateway';
import { orgsService } from '@org-mgmt/orgs';
import {
  AppConfig,
  AssertionVerifier,
  Bus,
  databaseAnswers,
  BUS_SIGNERS,
  BusKeyError,
  BusSigner,
  Clock,
  configureRuntime,
  flushTraces,
  HealthServer,
  initTracing,
  inProcessBus,
  Logger,
  natsBus,
  requireKeys,
  RunningService,
  ReadinessCheck,
  ServiceDefinition,
  startHealthServer,
  startService,
} from '@org-mgmt/runtime';
import { subscriptionsService } from '@org-mgmt/subscriptions';
import { transfersService } from '@org-mgmt/transfers';

/** The composition root: which services exist and how a process runs some or all of them. */
export const SERVICES: Record<ServiceName, ServiceDefinition> = {
  orgs: orgsService,
  billing: billingService,
  subscriptions: subscriptionsService,
  transfers: transfersService,
};
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

export interface SystemOptions {
  config: AppConfig;
  databaseUrl: string;
  bus: Bus;
  logger: Logger;
  services: readonly ServiceName[];
  gateway: boolean;
  gatewayHost?: string;
  devSecret?: string;
  clock?: Clock;
}

export interface RunningSystem {
  services: RunningService[];
  gateway?: RunningGateway;
  /** The process's probe and metrics port, when HEALTH_PORT is set. */
  health?: HealthServer;
  close(): Promise<void>;
}

/** NATS when NATS_URL is set, else the in-process bus of embedded mode. */
export async function connectBus(config: AppConfig, logger: Logger): Promise<Bus> {
  return config.NATS_URL ? natsBus(config, config.NATS_URL, logger) : inProcessBus(config, logger);
}

/** What this process is called in traces: the one service it runs, or the whole system. */
function processName(options: SystemOptions): string {
  if (options.config.OTEL_SERVICE_NAME) return options.config.OTEL_SERVICE_NAME;
  if (options.services.length === 0 && options.gateway) return 'org-management-gateway';
  if (options.services.length === 1 && !options.gateway) return `org-management-${options.services[0]}`;
  return 'org-management';
}

/** Readiness of this process: the bus, and each service's database. */
function readinessChecks(bus: Bus, services: readonly RunningService[]): ReadinessCheck[] {
  return [
    { name: bus.kind === 'nats' ? 'nats' : 'bus', check: () => bus.healthy() },
    ...services.map((s) => ({ name: `${s.name}.database`, check: () => databaseAnswers(s.db) })),
  ];
}

/**
 * A process signs as each service it runs (and the gateway), and trusts every signer when it runs
 * services. In production it holds no private key but its own, so one leaked pod key signs for one signer.
 */
function checkBusKeys({ bus, services, gateway, config }: SystemOptions): void {
  const signers: BusSigner[] = [...services, ...(gateway ? (['gateway'] as const) : [])];
  requireKeys(bus.keys, signers, services.length ? BUS_SIGNERS : []);
  const foreign = [...bus.keys.signing.keys()].filter((s) => !signers.includes(s));
  if (config.NODE_ENV === 'production' && foreign.length) {
    throw new BusKeyError(
      `BUS_SIGNING_KEYS holds keys of ${foreign.join(', ')}: in production a process holds only its own`,
    );
  }
}

/** Starts the services, the gateway and the health port; a failure closes whatever had started (and the bus) before it goes up. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { config, databaseUrl, bus, logger, clock } = options;
  checkBusKeys(options);
  configureRuntime({
    rootOrgId: config.ROOT_ORG_ID,
    logger,
    assertions: new AssertionVerifier(bus.keys.trusted, config.ROOT_ORG_ID),
  });
  initTracing({ serviceName: processName(options), otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const system: RunningSystem = {
    services: [],
    async close() {
      await system.health?.close();
      await system.gateway?.close();
      for (const service of system.services.reverse()) await service.close();
      await bus.close();
      await flushTraces();
    },
  };
  try {
    for (const name of options.services) {
      system.services.push(await startService(SERVICES[name], { config, databaseUrl, bus, logger, clock }));
    }
    if (options.gateway) {
      system.gateway = await startGateway(
        { config, rpc: bus.rpc, events: bus.events, logger, devSecret: options.devSecret, clock },
        options.gatewayHost,
      );
    }
    if (config.HEALTH_PORT !== undefined) {
      system.health = await startHealthServer(
        config.HEALTH_PORT,
        readinessChecks(bus, system.services),
        options.gatewayHost,
      );
    }
  } catch (err) {
    await system.close().catch(() => undefined);
    throw err;
  }
  return system;
}

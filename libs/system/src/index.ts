import { ServiceName } from '@org-mgmt/contracts';
import { billingService } from '@org-mgmt/billing';
import { RunningGateway, startGateway } from '@org-mgmt/gateway';
import { orgsService } from '@org-mgmt/orgs';
import {
  AppConfig,
  Bus,
  Clock,
  configureRuntime,
  inProcessBus,
  Logger,
  natsBus,
  RunningService,
  ServiceDefinition,
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
  close(): Promise<void>;
}

/** NATS when NATS_URL is set, else the in-process bus of embedded mode. */
export async function connectBus(config: AppConfig, logger: Logger): Promise<Bus> {
  return config.NATS_URL ? natsBus(config, config.NATS_URL, logger) : inProcessBus(config, logger);
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { config, databaseUrl, bus, logger, clock } = options;
  configureRuntime({ rootOrgId: config.ROOT_ORG_ID, logger });
  const services: RunningService[] = [];
  for (const name of options.services) {
    services.push(await startService(SERVICES[name], { config, databaseUrl, bus, logger, clock }));
  }
  const gateway = options.gateway
    ? await startGateway({ config, rpc: bus.rpc, events: bus.events, logger, devSecret: options.devSecret, clock }, options.gatewayHost)
    : undefined;
  return {
    services,
    gateway,
    async close() {
      await gateway?.close();
      for (const service of services.reverse()) await service.close();
      await bus.close();
    },
  };
}

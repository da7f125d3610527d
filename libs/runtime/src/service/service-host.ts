import { Controller, DynamicModule, Global, Inject, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { INestMicroservice } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcResult, ServiceName } from '@org-mgmt/contracts';
import { Knex } from 'knex';
import { Logger } from 'pino';
import { AppConfig } from '../config';
import { nestLogger, serviceLogger } from '../logger';
import { createDatabase, databaseAnswers, migrate, Migration } from '../db/database';
import { DAY_MS, EventRetention } from '../events/event-retention';
import { Outbox, OutboxRelay } from '../events/outbox';
import { Clock, systemClock } from './clock';
import { Bus } from './infrastructure';
import { CLOCK, CONFIG, DATABASE, EVENT_BUS, LOGGER, OUTBOX, RPC_CLIENT } from './tokens';

export interface ServiceDefinition {
  name: ServiceName;
  /** The service's Nest module: its handlers and domain providers. */
  module: Type<unknown>;
  migrations: readonly Migration[];
  /** Runs once the service answers requests: seeding, event consumers. */
  onStarted?(app: INestApplicationContext): Promise<void>;
}

export interface ServiceDeps {
  config: AppConfig;
  databaseUrl: string;
  bus: Bus;
  logger: Logger;
  clock?: Clock;
}

export interface RunningService {
  name: ServiceName;
  app: INestMicroservice;
  db: Knex;
  relay: OutboxRelay;
  close(): Promise<void>;
}

export interface HealthReport {
  service: string;
  status: 'ok' | 'degraded';
  checks: Record<string, boolean>;
}

/** `<service>.health.check`: answers whether the service reaches its database. */
function healthController(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthController {
    constructor(@Inject(DATABASE) private readonly db: Knex) {}

    @MessagePattern(`${service}.health.check`)
    async check(): Promise<RpcResult<HealthReport>> {
      const database = await databaseAnswers(this.db);
      return { ok: true, data: { service, status: database ? 'ok' : 'degraded', checks: { database } } };
    }
  }
  return HealthController;
}

@Global()
@Module({})
class ServiceRuntimeModule {
  static for(def: ServiceDefinition, deps: ServiceDeps, db: Knex, outbox: Outbox): DynamicModule {
    const providers = [
      { provide: DATABASE, useValue: db },
      { provide: OUTBOX, useValue: outbox },
      { provide: CONFIG, useValue: deps.config },
      { provide: RPC_CLIENT, useValue: deps.bus.rpc },
      { provide: EVENT_BUS, useValue: deps.bus.events },
      { provide: LOGGER, useValue: serviceLogger(deps.logger, def.name) },
      { provide: CLOCK, useValue: deps.clock ?? systemClock },
    ];
    return {
      module: ServiceRuntimeModule,
      imports: [def.module],
      controllers: [healthController(def.name)],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}

/**
 * Boots one service: its schema and migrations, its handlers on the bus, its outbox relay and the
 * pruning of its event tables. A service that fails to start closes what it had opened (pool, bus
 * server, relay) before the error goes up.
 */
export async function startService(def: ServiceDefinition, deps: ServiceDeps): Promise<RunningService> {
  const db = createDatabase(deps.databaseUrl, def.name, deps.config.DATABASE_POOL_MAX);
  const clock = deps.clock ?? systemClock;
  const relay = new OutboxRelay({
    db,
    bus: deps.bus.events,
    logger: deps.logger,
    service: def.name,
    pollIntervalMs: deps.config.OUTBOX_POLL_INTERVAL_MS,
    clock,
  });
  const retention = new EventRetention({
    db,
    logger: deps.logger,
    retentionMs: deps.config.EVENT_RETENTION_DAYS * DAY_MS,
    clock,
  });
  let app: INestMicroservice | undefined;
  const close = async () => {
    await retention.stop();
    await relay.stop();
    await app?.close();
    await db.destroy();
  };
  try {
    await migrate(db, def.name, def.migrations);
    const outbox = new Outbox();
    outbox.onCommitted(() => relay.kick());
    app = await NestFactory.createMicroservice(ServiceRuntimeModule.for(def, deps, db, outbox), {
      strategy: deps.bus.serverFor(def.name),
      logger: nestLogger(deps.logger),
    });
    await app.listen();
    relay.start();
    retention.start();
    await def.onStarted?.(app);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return { name: def.name, app, db, relay, close };
}

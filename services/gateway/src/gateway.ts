import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AppConfig,
  Clock,
  EventBus,
  Logger,
  nestLogger,
  RPC_CLIENT,
  RpcClient,
  serviceLogger,
  systemClock,
} from '@org-mgmt/runtime';
import express from 'express';
import { Server as HttpServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { JwtVerifier } from './auth/jwt-verifier';
import { docsRouter } from './docs/docs.router';
import { HealthController } from './health/health.controller';
import { httpObserver, metricsHandler } from './observability/http-observer';
import { OrgStateCache } from './org-state/org-state-cache';
import { API_PREFIX, ApiRouter } from './routing/api-router';
import { answerClientErrors, EnvelopeExpressAdapter } from './routing/edge-errors';

export interface GatewayDeps {
  config: AppConfig;
  rpc: RpcClient;
  /** Invalidates the org-state cache; without it cached states live out their TTL. */
  events?: EventBus;
  logger: Logger;
  clock?: Clock;
  /** HS256 secret of a development install without JWT configuration. */
  devSecret?: string;
}

export interface RunningGateway {
  app: INestApplication;
  url: string;
  port: number;
  close(): Promise<void>;
}

@Module({})
class GatewayModule {
  static for(deps: GatewayDeps): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController],
      providers: [{ provide: RPC_CLIENT, useValue: deps.rpc }],
    };
  }
}

/**
 * The HTTP edge: /org-management/* routed over the bus, /health for probes. Owns no data. Whatever
 * no endpoint takes is answered in the error envelope (routing/edge-errors).
 */
export async function startGateway(deps: GatewayDeps, host = '0.0.0.0'): Promise<RunningGateway> {
  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', 'loopback, linklocal, uniquelocal');
  const jwt = new JwtVerifier(deps.config, deps.devSecret);
  const logger = serviceLogger(deps.logger, 'gateway');
  const orgStates = new OrgStateCache(
    deps.rpc,
    deps.clock ?? systemClock,
    deps.config.ORG_STATE_CACHE_TTL_MS,
    deps.config.ROOT_ORG_ID,
    logger,
  );
  if (deps.events) await orgStates.start(deps.events);
  server.get('/metrics', (req, res) => void metricsHandler(req, res));
  server.use(API_PREFIX, httpObserver());
  server.use(API_PREFIX, docsRouter(API_PREFIX));
  server.use(API_PREFIX, new ApiRouter(deps.config, jwt, deps.rpc, orgStates, logger, deps.clock).build());
  const app = await NestFactory.create(GatewayModule.for(deps), new EnvelopeExpressAdapter(server, logger), {
    bodyParser: false,
    logger: nestLogger(deps.logger),
  });
  limitRequestTime(app.getHttpServer(), deps.config.HTTP_REQUEST_TIMEOUT_MS);
  answerClientErrors(app.getHttpServer());
  await app.listen(deps.config.PORT, host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const shownHost = host === '0.0.0.0' ? 'localhost' : host;
  const close = async () => {
    await orgStates.stop();
    await app.close();
  };
  return { app, port, url: `http://${shownHost}:${port}`, close };
}

/**
 * A client gets `timeoutMs` to send a whole request (slow-loris protection; node answers 408).
 * Set before listening: node reads the checking interval when the server starts listening.
 */
function limitRequestTime(server: HttpServer, timeoutMs: number): void {
  server.requestTimeout = timeoutMs;
  server.headersTimeout = Math.min(timeoutMs, 60_000);
  (server as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(30_000, Math.floor(timeoutMs / 4)),
  );
}

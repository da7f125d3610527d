import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { withTimeout } from '../service/timeout';
import { metricsRegistry } from './metrics';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

/** A check that does not answer in time counts as failed: a probe never hangs. */
function passes(check: ReadinessCheck): Promise<boolean> {
  return withTimeout(
    check.check().catch(() => false),
    CHECK_TIMEOUT_MS,
    () => false,
  );
}

export async function readiness(
  checks: readonly ReadinessCheck[],
): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await passes(c)] as const));
  return { ready: results.every(([, ok]) => ok), checks: Object.fromEntries(results) };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function route(req: IncomingMessage, res: ServerResponse, checks: readonly ReadinessCheck[]): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET') return json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'GET only' } });
  if (path === '/health/live') return json(res, 200, { status: 'ok' });
  if (path === '/health/ready') {
    const { ready, checks: results } = await readiness(checks);
    return json(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', checks: results });
  }
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(await metricsRegistry.metrics());
    return;
  }
  json(res, 404, { error: { code: 'ROUTE_NOT_FOUND', message: 'No such endpoint' } });
}

/**
 * A process's own probe and scrape port (HEALTH_PORT): /health/live (the process answers),
 * /health/ready (its database and NATS answer), /metrics. Plain node:http, apart from the API.
 */
export function startHealthServer(
  port: number,
  checks: readonly ReadinessCheck[],
  host = '0.0.0.0',
): Promise<HealthServer> {
  const server = createServer((req, res) => {
    route(req, res, checks).catch(() => json(res, 500, { error: { code: 'INTERNAL', message: 'Internal error' } }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

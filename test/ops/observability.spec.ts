import { Organization } from '@org-mgmt/contracts';
import { initTracing, startHealthServer } from '@org-mgmt/runtime';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { randomBytes } from 'node:crypto';

// Before the system starts: this process's spans go to memory (startSystem keeps the first setup).
const spans = new InMemorySpanExporter();
initTracing({ serviceName: 'observability-test', spanProcessors: [new SimpleSpanProcessor(spans)] });

/** Polls a condition the system reaches on its own (an event published), bounded. */
async function eventually(condition: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('health, metrics and traces', () => {
  let sys: TestSystem;
  let org: Organization;
  let member: string;

  beforeAll(async () => {
    sys = await startTestSystem({ env: { HEALTH_PORT: '0' } });
    org = await sys.registerOrg();
    member = await sys.token({ orgId: org.id });
  });
  afterAll(() => sys?.close());

  const healthUrl = (path: string) => `http://127.0.0.1:${sys.running.health!.port}${path}`;

  it('serves liveness and readiness (NATS and every database) on the health port', async () => {
    const live = await fetch(healthUrl('/health/live'));
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(healthUrl('/health/ready'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: {
        nats: true,
        'orgs.database': true,
        'billing.database': true,
        'subscriptions.database': true,
        'transfers.database': true,
      },
    });
  });

  it("keeps the gateway's system-wide readiness, asking every service over NATS", async () => {
    const res = await fetch(`${sys.url}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      services: { orgs: true, billing: true, subscriptions: true, transfers: true },
    });
  });

  it('counts HTTP requests by route and status, and RPCs by pattern and outcome', async () => {
    const before = await (await fetch(`${sys.url}/metrics`)).text();
    const route = { method: 'GET', route: '/profile{/:orgId}', status: '200' };
    const forbidden = { method: 'GET', route: '/profile{/:orgId}', status: '403' };
    const rpc = { pattern: 'orgs.profile.get', outcome: 'ok' };
    expect((await sys.api('GET', '/profile', { token: member })).status).toBe(200);
    expect((await sys.api('GET', '/profile/org_someone_else', { token: member })).status).toBe(403);

    const after = await (await fetch(`${sys.url}/metrics`)).text();
    expect(metricValue(after, 'http_request_duration_seconds_count', route)).toBe(
      metricValue(before, 'http_request_duration_seconds_count', route) + 1,
    );
    expect(metricValue(after, 'http_request_duration_seconds_count', forbidden)).toBe(
      metricValue(before, 'http_request_duration_seconds_count', forbidden) + 1,
    );
    expect(metricValue(after, 'rpc_server_duration_seconds_count', rpc)).toBe(
      metricValue(before, 'rpc_server_duration_seconds_count', rpc) + 1,
    );
    expect(metricValue(after, 'rpc_client_duration_seconds_count', rpc)).toBe(
      metricValue(before, 'rpc_client_duration_seconds_count', rpc) + 1,
    );
    // registering the org wrote org.created to the outbox; the relay publishes it
    await eventually(async () => {
      const text = await (await fetch(`${sys.url}/metrics`)).text();
      return metricValue(text, 'outbox_publish_lag_seconds_count', { subject: 'org.created' }) >= 1;
    });
    expect(after).toContain('# TYPE payment_outcomes_total counter');
    expect(after).toContain('# TYPE event_consumer_redeliveries_total counter');
    expect(after).toContain('process_resident_memory_bytes');

    const own = await (await fetch(healthUrl('/metrics'))).text();
    expect(own).toContain('rpc_server_duration_seconds_bucket');
  });

  it("reports every service's unpublished outbox backlog and the age of its oldest row, on both ports", async () => {
    const services = ['orgs', 'billing', 'subscriptions', 'transfers'];
    const gaugeLine = (name: string, service: string) =>
      new RegExp(`^${name}\\{service="${service}"\\} [0-9.e+-]+$`, 'm');
    await sys.registerOrg(); // org.created into the orgs outbox; the relay drains it
    await eventually(async () => {
      const text = await (await fetch(`${sys.url}/metrics`)).text();
      return metricValue(text, 'outbox_unpublished_events', { service: 'orgs' }) === 0;
    });
    for (const url of [`${sys.url}/metrics`, healthUrl('/metrics')]) {
      const text = await (await fetch(url)).text();
      expect(text).toContain('# TYPE outbox_unpublished_events gauge');
      expect(text).toContain('# TYPE outbox_oldest_unpublished_age_seconds gauge');
      for (const service of services) {
        expect(text).toMatch(gaugeLine('outbox_unpublished_events', service));
        expect(text).toMatch(gaugeLine('outbox_oldest_unpublished_age_seconds', service));
      }
    }
  });

  it('counts payment outcomes: a settled purchase once, the duplicate completions apart', async () => {
    const outcome = (text: string, o: string) =>
      metricValue(text, 'payment_outcomes_total', { gateway: 'sandbox', purpose: 'credits', outcome: o });
    const before = await (await fetch(`${sys.url}/metrics`)).text();
    const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    const bought = await sys.api('POST', '/billing/buy-credits', {
      token: admin,
      body: { amount: 500, currency: 'USD', paymentMethodId: 'pm_card_visa' },
    });
    expect(bought.status).toBe(201);
    const completions = await Promise.all(
      [1, 2, 3].map(() =>
        sys.api('POST', '/billing/complete-payment', {
          body: { paymentIntentId: bought.body.paymentIntentId, transactionId: bought.body.transactionId },
        }),
      ),
    );
    expect(completions.map((c) => c.status)).toEqual([200, 200, 200]);
    const after = await (await fetch(`${sys.url}/metrics`)).text();
    expect(outcome(after, 'succeeded')).toBe(outcome(before, 'succeeded') + 1);
    expect(outcome(after, 'failed')).toBe(outcome(before, 'failed'));
  });

  it("continues the caller's trace through the gateway, NATS, the service and its database queries", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    spans.reset();
    const res = await sys.api('GET', '/profile', {
      token: member,
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(res.status).toBe(200);

    const trace = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const named = (prefix: string) => trace.filter((s) => s.name.startsWith(prefix));
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    const [http] = named('HTTP GET');
    const [client] = named('rpc.client orgs.profile.get');
    const [server] = named('rpc orgs.profile.get');
    expect(http.name).toBe('HTTP GET /profile{/:orgId}');
    expect(parentOf(http)).toBe(callerSpanId);
    expect(parentOf(client)).toBe(http.spanContext().spanId);
    expect(parentOf(server)).toBe(client.spanContext().spanId);
    const queries = named('db ');
    expect(queries.length).toBeGreaterThan(0);
    const serviceSpanIds = new Set([server.spanContext().spanId]);
    for (const q of queries) {
      expect(serviceSpanIds.has(parentOf(q)!)).toBe(true);
      expect(q.attributes['db.namespace']).toBe('orgs');
    }
  });
});

describe('a health port whose checks fail', () => {
  it('answers 503 naming the failed checks, and never waits on a hanging check past its timeout', async () => {
    const health = await startHealthServer(
      0,
      [
        { name: 'nats', check: async () => true },
        { name: 'orgs.database', check: () => Promise.reject(new Error('connection refused')) },
        { name: 'billing.database', check: () => new Promise<boolean>(() => {}) },
      ],
      '127.0.0.1',
    );
    try {
      const res = await fetch(`http://127.0.0.1:${health.port}/health/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        checks: { nats: true, 'orgs.database': false, 'billing.database': false },
      });
      expect((await fetch(`http://127.0.0.1:${health.port}/health/live`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${health.port}/nope`)).status).toBe(404);
    } finally {
      await health.close();
    }
  });
});

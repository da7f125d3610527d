import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../service/timeout';

/**
 * The process's Prometheus metrics, served at /metrics by the gateway and by each process's health
 * port. Outcomes are `ok` or the error code, so a dashboard splits failures by kind.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Gateway HTTP requests by method, route (the endpoint table path) and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const rpcServerDuration = new Histogram({
  name: 'rpc_server_duration_seconds',
  help: 'RPC handling time in the owning service, by pattern and outcome (ok or the error code)',
  labelNames: ['pattern', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const rpcClientDuration = new Histogram({
  name: 'rpc_client_duration_seconds',
  help: 'RPC round trips as the caller sees them (bus included), by pattern and outcome',
  labelNames: ['pattern', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const outboxLag = new Histogram({
  name: 'outbox_publish_lag_seconds',
  help: 'Time from an event being written to the outbox to its publication on the bus, by subject',
  labelNames: ['subject'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

export interface OutboxBacklogReading {
  unpublished: number;
  oldestAgeSeconds: number;
}

interface OutboxBacklogSource {
  service: string;
  read(): Promise<OutboxBacklogReading>;
}

const backlogSources = new Set<OutboxBacklogSource>();
const BACKLOG_READ_TIMEOUT_MS = 2_000;
let backlogRead: Promise<void> | undefined;

/**
 * Read at scrape time, one aggregate query per outbox (the two gauges share it): nothing is queried
 * between scrapes. A database that does not answer leaves the last values rather than stalling /metrics.
 */
function readBacklogs(): Promise<void> {
  backlogRead ??= Promise.all(
    [...backlogSources].map(async (source) => {
      const reading = await withTimeout(
        source.read().catch(() => null),
        BACKLOG_READ_TIMEOUT_MS,
        () => null,
      );
      if (!reading) return;
      outboxUnpublished.set({ service: source.service }, reading.unpublished);
      outboxOldestUnpublishedAge.set({ service: source.service }, reading.oldestAgeSeconds);
    }),
  )
    .then(() => undefined)
    .finally(() => (backlogRead = undefined));
  return backlogRead;
}

export const outboxUnpublished = new Gauge({
  name: 'outbox_unpublished_events',
  help: 'Outbox rows not yet published to the bus, by service',
  labelNames: ['service'] as const,
  registers: [metricsRegistry],
  collect: readBacklogs,
});

export const outboxOldestUnpublishedAge = new Gauge({
  name: 'outbox_oldest_unpublished_age_seconds',
  help: 'Age of the oldest unpublished outbox row (0 when none), by service',
  labelNames: ['service'] as const,
  registers: [metricsRegistry],
  collect: readBacklogs,
});

/** A relay reports its outbox's backlog to the gauges until the returned function is called. */
export function reportOutboxBacklog(service: string, read: () => Promise<OutboxBacklogReading>): () => void {
  const source = { service, read };
  backlogSources.add(source);
  return () => {
    backlogSources.delete(source);
    if (![...backlogSources].some((s) => s.service === service)) {
      outboxUnpublished.remove({ service });
      outboxOldestUnpublishedAge.remove({ service });
    }
  };
}

export const consumerRedeliveries = new Counter({
  name: 'event_consumer_redeliveries_total',
  help: 'Events delivered again to a durable consumer (a handler failed or did not ack in time)',
  labelNames: ['durable', 'subject'] as const,
  registers: [metricsRegistry],
});

export const consumerFailures = new Counter({
  name: 'event_consumer_failures_total',
  help: 'Event handler failures (each is retried with a growing delay)',
  labelNames: ['durable', 'subject'] as const,
  registers: [metricsRegistry],
});

export const paymentOutcomes = new Counter({
  name: 'payment_outcomes_total',
  help: 'Payment attempts by payment gateway (stripe, sandbox), purpose and outcome',
  labelNames: ['gateway', 'purpose', 'outcome'] as const,
  registers: [metricsRegistry],
});

export type PaymentOutcome = 'succeeded' | 'declined' | 'failed' | 'pending' | 'duplicate';

/** Billing and subscriptions call this for every payment they settle or see refused. */
export function recordPaymentOutcome(gateway: string, purpose: string, outcome: PaymentOutcome): void {
  paymentOutcomes.inc({ gateway, purpose, outcome });
}

export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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

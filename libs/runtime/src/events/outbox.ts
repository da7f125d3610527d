import { EventContract, EventEnvelope, newId } from '@org-mgmt/contracts';
import { Knex } from 'knex';
import { Logger } from 'pino';
import { z } from 'zod';
import { outboxLag, OutboxBacklogReading, reportOutboxBacklog } from '../observability/metrics';
import { jitteredBackoff } from '../service/backoff';
import { Clock, systemClock } from '../service/clock';
import { EventBus } from './event-bus';
import { eventTables } from './event-tables.repository';

/** Writes events in the same transaction as the state change they describe. */
export class Outbox {
  private readonly listeners = new Set<() => void>();

  async add<T extends z.ZodType>(
    trx: Knex.Transaction,
    contract: EventContract<T>,
    orgId: string | null,
    data: z.input<T>,
  ): Promise<EventEnvelope<z.output<T>>> {
    const envelope = {
      id: newId('event'),
      type: contract.subject,
      version: contract.version,
      occurredAt: Date.now(),
      orgId,
      data: contract.schema.parse(data),
    };
    await eventTables.addToOutbox(trx, envelope);
    trx.executionPromise.then(
      () => this.listeners.forEach((l) => l()),
      () => {},
    );
    return envelope;
  }

  /** Called after a transaction with events commits (the relay uses it to publish without waiting a poll). */
  onCommitted(listener: () => void): void {
    this.listeners.add(listener);
  }
}

export interface OutboxRelayOptions {
  db: Knex;
  bus: EventBus;
  logger: Logger;
  /** Whose outbox it is: the backlog gauges' `service` label. */
  service: string;
  pollIntervalMs: number;
  batchSize?: number;
  clock?: Clock;
}

/**
 * Publishes committed outbox rows in order. Rows are locked with SKIP LOCKED, so several replicas
 * share the work; a crash between publish and mark re-publishes with the same id, which JetStream
 * de-duplicates and consumers ignore. While it runs, its backlog shows on the outbox gauges.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private stopReporting?: () => void;
  private readonly db: Knex;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly clock: Clock;

  constructor(private readonly options: OutboxRelayOptions) {
    this.db = options.db;
    this.pollIntervalMs = options.pollIntervalMs;
    this.batchSize = options.batchSize ?? 100;
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopReporting = reportOutboxBacklog(this.options.service, () => this.backlog());
    this.loop = this.run();
  }

  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopReporting?.();
    this.kick();
    await this.loop;
  }

  /** Publishes one batch; returns how many events went out. */
  async publishBatch(): Promise<number> {
    return this.db.transaction(async (trx) => {
      const rows = await eventTables.lockUnpublished(trx, this.batchSize);
      for (const row of rows) await this.options.bus.publish(row.envelope);
      const now = Date.now();
      for (const { envelope } of rows)
        outboxLag.observe({ subject: envelope.type }, Math.max(0, now - envelope.occurredAt) / 1000);
      await eventTables.markPublished(
        trx,
        rows.map((r) => r.seq),
        this.clock.now(),
      );
      return rows.length;
    });
  }

  /** How many rows wait to be published and how long the oldest has waited. */
  async backlog(): Promise<OutboxBacklogReading> {
    const { unpublished, oldestCreatedAt } = await eventTables.outboxBacklog(this.db);
    const oldestAgeSeconds = oldestCreatedAt === null ? 0 : Math.max(0, this.clock.now() - oldestCreatedAt) / 1000;
    return { unpublished, oldestAgeSeconds };
  }

  private async run(): Promise<void> {
    for (let failures = 0; this.running;) {
      let published = 0;
      try {
        published = await this.publishBatch();
        failures = 0;
      } catch (err) {
        this.options.logger.warn({ err }, 'outbox relay could not publish; retrying');
        failures++;
      }
      if (!this.running || published === this.batchSize) continue;
      await this.sleep(failures ? this.failureBackoff(failures) : this.pollIntervalMs);
    }
  }

  /** Every replica's relay fails at once when NATS or PostgreSQL goes away: they back off, out of step. */
  private failureBackoff(failures: number): number {
    return jitteredBackoff(failures - 1, { baseMs: this.pollIntervalMs, maxMs: Math.max(this.pollIntervalMs, 5_000) });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * Runs an event handler at most once in effect per consumer: the event id is recorded in the same
 * transaction as the handler's writes, so a redelivery after a crash finds it and does nothing.
 * Resolves true when this call ran the handler.
 */
export function idempotentHandler(
  db: Knex,
  consumer: string,
  handle: (event: EventEnvelope, trx: Knex.Transaction) => Promise<void>,
  clock: Clock = systemClock,
): (event: EventEnvelope) => Promise<boolean> {
  return (event) =>
    db.transaction(async (trx) => {
      const first = await eventTables.recordProcessed(trx, consumer, event.id, clock.now());
      if (first) await handle(event, trx);
      return first;
    });
}

/** The first migration of every service: its outbox and its consumers' dedupe log. */

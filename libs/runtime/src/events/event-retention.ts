import { Knex } from 'knex';
import { Logger } from 'pino';
import { Clock, systemClock } from '../service/clock';
import { eventTables } from './event-tables.repository';

export const DAY_MS = 24 * 3600_000;
export const PRUNE_INTERVAL_MS = 5 * 60_000;
const PRUNE_BATCH = 1_000;

export interface EventRetentionOptions {
  db: Knex;
  logger: Logger;
  /** How long published outbox rows and processed-event records are kept (EVENT_RETENTION_DAYS). */
  retentionMs: number;
  clock?: Clock;
  intervalMs?: number;
  batchSize?: number;
}

export interface Pruned {
  outbox: number;
  processed: number;
}

/**
 * Deletes what a service's event tables no longer need: outbox rows published longer than the
 * retention ago, and processed-event records as old. An unpublished row is never deleted. Runs at
 * start and every few minutes, in batches of single short DELETEs that skip locked rows, so replicas
 * pruning at once do not wait on each other, and the relay's publishing never waits on them.
 */
export class EventRetention {
  private timer?: NodeJS.Timeout;
  private current?: Promise<unknown>;
  private stopped = false;
  private readonly clock: Clock;
  private readonly batchSize: number;

  constructor(private readonly options: EventRetentionOptions) {
    this.clock = options.clock ?? systemClock;
    this.batchSize = options.batchSize ?? PRUNE_BATCH;
  }

  start(): void {
    this.stopped = false;
    this.runInBackground();
    this.timer = setInterval(() => this.runInBackground(), this.options.intervalMs ?? PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.current;
  }

  /** One pass over both tables, batch after batch until nothing old is left (or the service stops). */
  async prune(): Promise<Pruned> {
    const before = this.clock.now() - this.options.retentionMs;
    const outbox = await this.inBatches((limit) => eventTables.prunePublished(this.options.db, before, limit));
    const processed = await this.inBatches((limit) => eventTables.pruneProcessed(this.options.db, before, limit));
    if (outbox || processed) this.options.logger.info({ outbox, processed, before }, 'pruned event tables');
    return { outbox, processed };
  }

  private async inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let n = this.batchSize; n === this.batchSize && !this.stopped;) {
      n = await deleteBatch(this.batchSize);
      total += n;
    }
    return total;
  }

  /** A pass still running when the next is due is left to finish; the next one is skipped. */
  private runInBackground(): void {
    if (this.current) return;
    this.current = this.prune()
      .catch((err) => this.options.logger.warn({ err }, 'event tables could not be pruned; trying again later'))
      .finally(() => (this.current = undefined));
  }
}

import { EventEnvelope } from '@org-mgmt/contracts';
import { Logger } from 'pino';
import { jitteredBackoff, REDELIVERY_BACKOFF } from '../service/backoff';
import { EventBus, EventSubscription, SubscriptionOptions, WatchOptions } from './event-bus';

/**
 * Embedded-mode events: each subscription is a queue drained in order, retried with backoff like a
 * JetStream redelivery. Events live in memory once the outbox has handed them over (documented).
 */
export class InProcessEventBus implements EventBus {
  private readonly subscriptions = new Set<InProcessSubscription>();

  constructor(private readonly logger: Logger) {}

  async publish(event: EventEnvelope): Promise<void> {
    const copy = JSON.stringify(event);
    for (const sub of this.subscriptions) if (sub.subject === event.type) sub.enqueue(JSON.parse(copy));
  }

  async subscribe(options: SubscriptionOptions): Promise<EventSubscription> {
    const sub = new InProcessSubscription(options, this.logger);
    this.subscriptions.add(sub);
    return {
      stop: async () => {
        this.subscriptions.delete(sub);
        sub.stop();
      },
    };
  }

  /** In process nothing is ever missed: onGap is never called. */
  watch(options: WatchOptions): Promise<EventSubscription> {
    return this.subscribe({ durable: 'watch', subject: options.subject, handler: options.handler, maxDeliver: 1 });
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions) sub.stop();
    this.subscriptions.clear();
  }
}

class InProcessSubscription {
  private readonly queue: EventEnvelope[] = [];
  private draining = false;
  private stopped = false;
  /** Ends the wait before a redelivery; a stopped subscription must not keep the process alive for it. */
  private wakeRetry?: () => void;

  constructor(
    private readonly options: SubscriptionOptions,
    private readonly logger: Logger,
  ) {}

  get subject(): string {
    return this.options.subject;
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.wakeRetry?.();
  }

  enqueue(event: EventEnvelope): void {
    if (this.stopped) return;
    this.queue.push(event);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length) {
      await this.deliverWithRetries(this.queue[0]);
      this.queue.shift();
    }
    this.draining = false;
  }

  private async deliverWithRetries(event: EventEnvelope): Promise<void> {
    const maxDeliver = this.options.maxDeliver ?? 20;
    for (let attempt = 0; attempt < maxDeliver && !this.stopped; attempt++) {
      try {
        await this.options.handler(event);
        return;
      } catch (err) {
        this.logger.warn(
          { err, subject: event.type, durable: this.options.durable, attempt },
          'event handler failed; will redeliver',
        );
        await this.waitBeforeRetry(jitteredBackoff(attempt, REDELIVERY_BACKOFF));
      }
    }
    if (this.stopped) return;
    this.logger.error({ subject: event.type, eventId: event.id, durable: this.options.durable }, 'event given up');
  }

  private waitBeforeRetry(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeRetry = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeRetry = done;
    });
  }
}

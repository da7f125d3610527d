import { EventEnvelope } from '@org-mgmt/contracts';
import { createLogger, EventSubscription, JetStreamEventBus } from '@org-mgmt/runtime';
import { TestSystem } from './system';

/**
 * A durable subscriber of the test's own on one event subject, as an outside consumer would run it:
 * it counts every delivery by event id, so a test can tell a lost event (never delivered) from a
 * redelivery (same id again: harmless to an idempotent consumer).
 */
export class EventCounter {
  readonly deliveries = new Map<string, number>();
  readonly events = new Map<string, EventEnvelope>();

  private subscription?: EventSubscription;

  private constructor(private readonly bus: JetStreamEventBus) {}

  static async start(sys: TestSystem, subject: string, durable = 'fault_counter'): Promise<EventCounter> {
    const bus = await JetStreamEventBus.connect(
      sys.env.NATS_URL,
      sys.env.NATS_SUBJECT_PREFIX,
      createLogger('silent', 'event-counter'),
    );
    const counter = new EventCounter(bus);
    counter.subscription = await bus.subscribe({
      durable,
      subject,
      ackWaitMs: 5_000,
      handler: async (event) => counter.count(event),
    });
    return counter;
  }

  private count(event: EventEnvelope): void {
    this.deliveries.set(event.id, (this.deliveries.get(event.id) ?? 0) + 1);
    this.events.set(event.id, event);
  }

  /** Deliveries beyond the first of an event id. */
  get redelivered(): number {
    return [...this.deliveries.values()].reduce((sum, n) => sum + n - 1, 0);
  }

  async close(): Promise<void> {
    await this.subscription?.stop();
    await this.bus.close();
  }
}

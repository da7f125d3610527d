import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventConsumerDef, EventContract, EventEnvelope } from '@org-mgmt/contracts';
import { Knex } from 'knex';
import { Logger } from '../logger';
import { Clock } from '../service/clock';
import { CLOCK, DATABASE, EVENT_BUS, LOGGER } from '../service/tokens';
import { EventBus, EventSubscription } from './event-bus';
import { idempotentHandler } from './outbox';
import { z } from 'zod';

export type EventEffect<T extends z.ZodType> = (
  data: z.output<T>,
  trx: Knex.Transaction,
  event: EventEnvelope,
) => Promise<void>;

/**
 * A service's durable consumers, each declared in contracts' EVENT_CONSUMERS (the NATS permissions
 * are generated from that list): each one records the event id in the same transaction as its
 * effect (once in effect), and drops, with a log line, a payload its contract refuses instead of
 * redelivering it forever. Add it to a module's providers; the subscriptions stop with the module.
 */
@Injectable()
export class EventConsumers implements OnModuleDestroy {
  private readonly subscriptions: EventSubscription[] = [];

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async consume<T extends z.ZodType>(
    consumer: EventConsumerDef<EventContract<T>>,
    effect: EventEffect<T>,
  ): Promise<void> {
    const handler = (event: EventEnvelope) => this.applyOnce(consumer, effect, event);
    this.subscriptions.push(
      await this.bus.subscribe({ durable: consumer.durable, subject: consumer.event.subject, handler }),
    );
  }

  /**
   * Applies one event exactly as the durable consumer does, once per event id between them: for a
   * producer that also hands the event over directly (read-your-writes), whichever arrives second
   * does nothing. True when this call applied it.
   */
  applyOnce<T extends z.ZodType>(
    consumer: EventConsumerDef<EventContract<T>>,
    effect: EventEffect<T>,
    event: EventEnvelope,
  ): Promise<boolean> {
    const contract = consumer.event;
    return idempotentHandler(
      this.db,
      consumer.durable,
      async (received, trx) => {
        const parsed = contract.schema.safeParse(received.data);
        if (!parsed.success) {
          this.logger.error(
            { eventId: received.id, subject: received.type, issues: parsed.error.issues },
            'event refused by its contract; dropped',
          );
          return;
        }
        await effect(parsed.data, trx, received);
      },
      this.clock,
    )(event);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.stop()));
  }
}

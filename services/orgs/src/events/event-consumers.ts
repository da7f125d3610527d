import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventContract, EventEnvelope } from '@org-mgmt/contracts';
import { DATABASE, EVENT_BUS, EventBus, EventSubscription, idempotentHandler, Knex, LOGGER, Logger } from '@org-mgmt/runtime';
import { z } from 'zod';

export type EventEffect<T extends z.ZodType> = (data: z.output<T>, trx: Knex.Transaction, event: EventEnvelope) => Promise<void>;

/**
 * The orgs service's durable consumers: each one records the event id in the same transaction as its
 * effect (at most once in effect), and drops, with a log line, a payload its contract refuses
 * instead of redelivering it forever.
 */
@Injectable()
export class OrgsEventConsumers implements OnModuleDestroy {
  private readonly subscriptions: EventSubscription[] = [];

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async consume<T extends z.ZodType>(consumer: string, contract: EventContract<T>, effect: EventEffect<T>): Promise<void> {
    const handler = idempotentHandler(this.db, consumer, async (event, trx) => {
      const parsed = contract.schema.safeParse(event.data);
      if (!parsed.success) {
        this.logger.error({ eventId: event.id, subject: event.type, issues: parsed.error.issues }, 'event refused by its contract; dropped');
        return;
      }
      await effect(parsed.data, trx, event);
    });
    this.subscriptions.push(await this.bus.subscribe({ durable: consumer, subject: contract.subject, handler }));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.stop()));
  }
}

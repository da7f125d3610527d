import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { DATABASE, EVENT_BUS, EventBus, EventSubscription, idempotentHandler, Knex } from '@org-mgmt/runtime';
import { FeatureFlagsService } from './feature-flags.service';

/** Durable, idempotent consumer of subscription.changed: keeps each org's plan defaults and operator overrides. */
@Injectable()
export class SubscriptionChangesConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription?: EventSubscription;

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly flags: FeatureFlagsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      durable: 'orgs-feature-flags',
      subject: SubscriptionChangedEvent.subject,
      handler: idempotentHandler(this.db, 'orgs.feature-flags', (event, trx) =>
        this.flags.applySubscriptionChange(trx, SubscriptionChangedEvent.schema.parse(event.data), event.occurredAt),
      ),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
  }
}

import { Injectable } from '@nestjs/common';
import {
  EVENT_CONSUMERS,
  EventConsumerDef,
  EventContract,
  EventEnvelope,
  SubscriptionChangedEvent,
} from '@org-mgmt/contracts';
import { EventConsumers, EventEffect } from '@org-mgmt/runtime';
import { OrgStatusEvents } from '../org-status/org-status.events';
import { FeatureFlagsService } from './feature-flags.service';

type Effect = EventEffect<typeof SubscriptionChangedEvent.schema>;

/**
 * Everything orgs does on subscription.changed: keep each org's plan defaults and operator overrides
 * (its effective flags), and lift a PAYMENT_FAILED suspension once the subscription pays again. Each
 * effect is a durable consumer, once per event id; subscriptions also hands each change over directly
 * (`orgs.features.apply`) before it answers, and whichever of the two arrives second does nothing.
 */
@Injectable()
export class SubscriptionChangesConsumer {
  private readonly effects: ReadonlyArray<{
    consumer: EventConsumerDef<EventContract<typeof SubscriptionChangedEvent.schema>>;
    effect: Effect;
  }>;

  constructor(
    private readonly consumers: EventConsumers,
    flags: FeatureFlagsService,
    statuses: OrgStatusEvents,
  ) {
    this.effects = [
      {
        consumer: EVENT_CONSUMERS.orgsFeatureFlags,
        effect: (data, trx, event) => flags.applySubscriptionChange(trx, data, event.occurredAt),
      },
      {
        consumer: EVENT_CONSUMERS.orgsStatusSubscriptionChanged,
        effect: (data, trx) => statuses.recoverOnPayingSubscription(trx, data),
      },
    ];
  }

  async start(): Promise<void> {
    for (const { consumer, effect } of this.effects) await this.consumers.consume(consumer, effect);
  }

  /** The change handed over directly; true when it had not been applied yet. */
  async deliver(event: EventEnvelope): Promise<boolean> {
    let applied = false;
    for (const { consumer, effect } of this.effects) {
      if (await this.consumers.applyOnce(consumer, effect, event)) applied = true;
    }
    return applied;
  }
}

import { Injectable } from '@nestjs/common';
import { EVENT_CONSUMERS } from '@org-mgmt/contracts';
import { EventConsumers } from '@org-mgmt/runtime';
import { FeatureFlagsService } from './feature-flags.service';

/** Durable, idempotent consumer of subscription.changed: keeps each org's plan defaults and operator overrides. */
@Injectable()
export class SubscriptionChangesConsumer {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly flags: FeatureFlagsService,
  ) {}

  start(): Promise<void> {
    return this.consumers.consume(EVENT_CONSUMERS.orgsFeatureFlags, (data, trx, event) =>
      this.flags.applySubscriptionChange(trx, data, event.occurredAt),
    );
  }
}

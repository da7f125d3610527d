import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_CONSUMERS } from '@org-mgmt/contracts';
import { EventConsumers } from '@org-mgmt/runtime';
import { SubscriptionService } from '../subscriptions/subscription.service';

/**
 * org.created with a `plan` (from org-register) starts the org's subscription on it; org.deleted
 * ends the org's subscription at once. Both durable, once per event id.
 */
@Injectable()
export class OrgLifecycleConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly subscriptions: SubscriptionService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.consume(EVENT_CONSUMERS.subscriptionsOrgCreated, async (data, trx) => {
      if (!data.plan) return;
      await this.subscriptions.startForRegistration(trx, {
        orgId: data.orgId,
        ...data.plan,
        changedBy: data.createdBy ?? 'system:orgs',
      });
    });
    await this.consumers.consume(EVENT_CONSUMERS.subscriptionsOrgDeleted, (data, trx) =>
      this.subscriptions.cancelForDeletedOrg(trx, data),
    );
  }
}

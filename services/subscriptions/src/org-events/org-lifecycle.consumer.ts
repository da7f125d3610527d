import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_CONSUMERS } from '@org-mgmt/contracts';
import { EventConsumers } from '@org-mgmt/runtime';
import { StartSubscriptionForRegistration } from '../start-subscription-for-registration/start-subscription-for-registration';
import { DeletedOrgsRepository } from './deleted-orgs.repository';
import { EndOrgSubscription } from './end-org-subscription';

/**
 * org.created with a `plan` (from org-register) starts the org's subscription on it; org.deleted
 * ends the org's subscription at once. Both durable, once per event id.
 */
@Injectable()
export class OrgLifecycleConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly startForRegistration: StartSubscriptionForRegistration,
    private readonly endOrgSubscription: EndOrgSubscription,
    private readonly deletedOrgs: DeletedOrgsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.consume(EVENT_CONSUMERS.subscriptionsOrgCreated, async (data, trx) => {
      if (!data.plan) return;
      await this.startForRegistration.startIn(trx, {
        orgId: data.orgId,
        ...data.plan,
        changedBy: data.createdBy ?? 'system:orgs',
      });
    });
    // Like an immediate cancel (no refund), with the deletion's reason; the org is remembered so
    // nothing starts a subscription for it again.
    await this.consumers.consume(EVENT_CONSUMERS.subscriptionsOrgDeleted, async (data, trx) => {
      await this.deletedOrgs.record(trx, data);
      await this.endOrgSubscription.execute(trx, {
        orgId: data.orgId,
        changedBy: data.deletedBy,
        reason: `Organisation deleted: ${data.reason}`,
      });
    });
  }
}

import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_CONSUMERS } from '@org-mgmt/contracts';
import { EventConsumers } from '@org-mgmt/runtime';
import { EndOrgSubscription } from './end-org-subscription';

/** When orgs cancels an account (org.status_changed with cause account_cancelled), its subscription ends at once. */
@Injectable()
export class AccountCancellationConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly endOrgSubscription: EndOrgSubscription,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.consumers.consume(EVENT_CONSUMERS.subscriptionsAccountCancellation, async (data, trx) => {
      if (data.cause !== 'account_cancelled') return;
      await this.endOrgSubscription.execute(trx, {
        orgId: data.orgId,
        changedBy: data.changedBy,
        reason: data.reason ?? 'Account cancelled',
      });
    });
  }
}

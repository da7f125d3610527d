import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OrgStatusChangedEvent } from '@org-mgmt/contracts';
import { DATABASE, EVENT_BUS, EventBus, EventSubscription, idempotentHandler, Knex } from '@org-mgmt/runtime';
import { SubscriptionService } from './subscription.service';

/** When orgs cancels an account (org.status_changed with cause account_cancelled), its subscription ends at once. */
@Injectable()
export class AccountCancellationConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription?: EventSubscription;

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly subscriptions: SubscriptionService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      durable: 'subscriptions-account-cancellation',
      subject: OrgStatusChangedEvent.subject,
      handler: idempotentHandler(this.db, 'subscriptions.account-cancellation', async (event, trx) => {
        const data = OrgStatusChangedEvent.schema.parse(event.data);
        if (data.cause !== 'account_cancelled') return;
        await this.subscriptions.cancelForAccount(trx, data.orgId, data.changedBy, data.reason);
      }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
  }
}

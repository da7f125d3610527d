import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OrgCreatedEvent, OrgDeletedEvent } from '@org-mgmt/contracts';
import { DATABASE, EVENT_BUS, EventBus, EventSubscription, idempotentHandler, Knex } from '@org-mgmt/runtime';
import { SubscriptionService } from '../subscriptions/subscription.service';

/**
 * org.created with a `plan` (from org-register) starts the org's subscription on it; org.deleted
 * ends the org's subscription at once. Both durable, once per event id.
 */
@Injectable()
export class OrgLifecycleConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly stops: EventSubscription[] = [];

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly subscriptions: SubscriptionService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stops.push(
      await this.bus.subscribe({
        durable: 'subscriptions-org-created',
        subject: OrgCreatedEvent.subject,
        handler: idempotentHandler(this.db, 'subscriptions.org-created', async (event, trx) => {
          const data = OrgCreatedEvent.schema.parse(event.data);
          if (!data.plan) return;
          await this.subscriptions.startForRegistration(trx, { orgId: data.orgId, ...data.plan, changedBy: data.createdBy ?? 'system:orgs' });
        }),
      }),
      await this.bus.subscribe({
        durable: 'subscriptions-org-deleted',
        subject: OrgDeletedEvent.subject,
        handler: idempotentHandler(this.db, 'subscriptions.org-deleted', async (event, trx) => {
          await this.subscriptions.cancelForDeletedOrg(trx, OrgDeletedEvent.schema.parse(event.data));
        }),
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.stops.map((s) => s.stop()));
  }
}

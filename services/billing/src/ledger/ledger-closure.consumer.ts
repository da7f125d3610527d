import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OrgDeletedEvent } from '@org-mgmt/contracts';
import { DATABASE, EVENT_BUS, EventBus, EventSubscription, idempotentHandler, Knex } from '@org-mgmt/runtime';
import { LedgerRepository } from './ledger.repository';

/**
 * org.deleted closes the org's ledger (who, when, why on its balance row). The ledger itself is a
 * financial record and is kept, soft or hard delete alike; it stays readable to root roles.
 */
@Injectable()
export class LedgerClosureConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription?: EventSubscription;

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly ledger: LedgerRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      durable: 'billing-ledger-closure',
      subject: OrgDeletedEvent.subject,
      handler: idempotentHandler(this.db, 'billing.ledger-closure', async (event, trx) => {
        const data = OrgDeletedEvent.schema.parse(event.data);
        await this.ledger.close(trx, { orgId: data.orgId, closedBy: data.deletedBy, reason: data.reason, at: data.deletedAt });
      }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
  }
}

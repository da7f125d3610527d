import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_CONSUMERS } from '@org-mgmt/contracts';
import { EventConsumers } from '@org-mgmt/runtime';
import { LedgerRepository } from './ledger.repository';

/**
 * org.deleted closes the org's ledger (who, when, why on its balance row). The ledger itself is a
 * financial record and is kept, soft or hard delete alike; it stays readable to root roles.
 */
@Injectable()
export class LedgerClosureConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly ledger: LedgerRepository,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.consumers.consume(EVENT_CONSUMERS.billingLedgerClosure, (data, trx) =>
      this.ledger.close(trx, { orgId: data.orgId, closedBy: data.deletedBy, reason: data.reason, at: data.deletedAt }),
    );
  }
}

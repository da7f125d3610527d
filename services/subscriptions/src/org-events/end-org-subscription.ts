import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock, Knex } from '@org-mgmt/runtime';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';

/** The org's account was cancelled or the org deleted: its live subscription ends now; nothing live is a no-op. */
@Injectable()
export class EndOrgSubscription {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionRepository,
    private readonly transitions: SubscriptionTransitions,
  ) {}

  async execute(trx: Knex.Transaction, end: { orgId: string; changedBy: string; reason: string }): Promise<void> {
    const sub = await this.subscriptions.lockLive(trx, end.orgId);
    if (sub)
      await this.transitions.cancelNow(trx, sub, {
        changedBy: end.changedBy,
        at: this.clock.now(),
        reason: end.reason,
      });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { BillingInterval, PlanId } from '@org-mgmt/contracts';
import { CLOCK, Clock, Knex } from '@org-mgmt/runtime';
import { DeletedOrgsRepository } from '../org-events/deleted-orgs.repository';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';

/** The plan an org was registered with, and who registered it. */
export interface RegisteredPlan {
  orgId: string;
  planId: PlanId;
  interval: BillingInterval;
  changedBy: string;
}

/**
 * POST subscription/internal/start-for-registration, and org.created with a plan: the operator who
 * registered the org chose it, so its first period starts without a charge (as admin/update starts
 * one); renewals charge from then on.
 */
@Injectable()
export class StartSubscriptionForRegistration {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionRepository,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
    private readonly deletedOrgs: DeletedOrgsRepository,
  ) {}

  /**
   * org-register asks before it answers, so the plan's flags hold for the very next request; the
   * org.created path then finds the subscription live and does nothing.
   */
  execute(input: RegisteredPlan): Promise<{ started: boolean }> {
    return this.recorder.transaction(async (trx) => {
      if (await this.startIn(trx, input)) return { started: true };
      // org.created got here first: its hand-over to orgs may still be on its way, so hand the state over too.
      const live = await this.subscriptions.lockLive(trx, input.orgId);
      if (live) this.recorder.handOverState(trx, live, 'created', input.changedBy);
      return { started: false };
    });
  }

  /** The start itself, in the caller's transaction (org.created's); skipped for a deleted org or a live subscription. */
  async startIn(trx: Knex.Transaction, input: RegisteredPlan): Promise<boolean> {
    if (await this.deletedOrgs.isDeleted(trx, input.orgId)) return false;
    if (await this.subscriptions.lockLive(trx, input.orgId)) return false;
    await this.transitions.start(trx, {
      orgId: input.orgId,
      plan: input.planId,
      interval: input.interval,
      at: this.clock.now(),
      changedBy: input.changedBy,
      amountCharged: 0,
    });
    return true;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AppError, Subscription, SubscriptionAdminUpdate } from '@org-mgmt/contracts';
import { CLOCK, Clock } from '@org-mgmt/runtime';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { ChangeRequest, ChangeRequests } from '../subscriptions/change-requests';
import { publicSubscription, SubscriptionRepository } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';

/** POST subscription/admin/update: the operator override. */
@Injectable()
export class AdminUpdateSubscription {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionRepository,
    private readonly requests: ChangeRequests,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
  ) {}

  /**
   * Any of plan, interval, price, period end, status and flag overrides, with a reason, applied at
   * once without a charge and audited (who, why, before and after). Flag overrides travel to orgs on
   * the subscription.changed event. With no subscription, naming a plan starts one.
   */
  execute(req: ChangeRequest, input: SubscriptionAdminUpdate): Promise<Subscription> {
    return this.recorder.transaction(async (trx) => {
      const now = this.clock.now();
      const changedBy = req.principal.sub;
      let sub = await this.subscriptions.lockLive(trx, req.orgId);
      if (!sub) {
        await this.requests.requireNotDeleted(trx, req.orgId);
        if (!input.plan)
          throw new AppError(
            'NOT_FOUND',
            `Organisation ${req.orgId} has no live subscription: name a plan to start one`,
          );
        sub = await this.transitions.start(trx, {
          orgId: req.orgId,
          plan: input.plan,
          interval: input.interval ?? 'month',
          at: now,
          changedBy,
          amountCharged: 0,
          priceAmount: input.priceAmount,
        });
      }
      const after = await this.transitions.override(trx, sub, input, { changedBy, at: now });
      return publicSubscription(after);
    });
  }
}

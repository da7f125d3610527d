import { Inject, Injectable } from '@nestjs/common';
import { Subscription, SubscriptionDowngrade } from '@org-mgmt/contracts';
import { CLOCK, Clock } from '@org-mgmt/runtime';
import { compareChange } from '../plans/catalogue';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { ChangeRequest, ChangeRequests, notA } from '../subscriptions/change-requests';
import { publicSubscription } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';

/** POST subscription/downgrade: to a lower plan or a shorter interval, at the end of the period. */
@Injectable()
export class DowngradeSubscription {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly requests: ChangeRequests,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
  ) {}

  /** Takes effect at the period end; replaces an earlier scheduled downgrade or cancellation. */
  execute(req: ChangeRequest, input: SubscriptionDowngrade): Promise<Subscription> {
    return this.recorder.transaction(async (trx) => {
      const sub = await this.requests.lockedLive(trx, req.orgId);
      const to = { plan: input.plan, interval: input.interval ?? sub.interval };
      const kind = compareChange(sub, to);
      if (kind !== 'downgrade') throw notA({ wanted: 'downgrade', kind, from: sub, to });
      const after = await this.transitions.scheduleDowngrade(trx, sub, to, {
        changedBy: req.principal.sub,
        at: this.clock.now(),
      });
      return publicSubscription(after);
    });
  }
}

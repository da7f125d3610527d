import { Inject, Injectable } from '@nestjs/common';
import { Subscription, SubscriptionCancel } from '@org-mgmt/contracts';
import { CLOCK, Clock } from '@org-mgmt/runtime';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { ChangeRequest, ChangeRequests } from '../subscriptions/change-requests';
import { publicSubscription } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';

/** POST subscription/cancel: the customer ends the org's subscription. */
@Injectable()
export class CancelSubscription {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly requests: ChangeRequests,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
  ) {}

  /** At the period end by default (repeating it changes nothing); `immediate` ends it now, without refund. */
  execute(req: ChangeRequest, input: SubscriptionCancel): Promise<Subscription> {
    return this.recorder.transaction(async (trx) => {
      const sub = await this.requests.lockedLive(trx, req.orgId);
      const by = { changedBy: req.principal.sub, at: this.clock.now(), reason: input.reason ?? null };
      const after = input.immediate
        ? await this.transitions.cancelNow(trx, sub, by)
        : await this.transitions.scheduleCancellation(trx, sub, by);
      return publicSubscription(after);
    });
  }
}

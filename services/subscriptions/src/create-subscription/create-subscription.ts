import { Inject, Injectable } from '@nestjs/common';
import { SubscriptionChangeResult, SubscriptionCreate } from '@org-mgmt/contracts';
import { CLOCK, Clock, ReplayedResponse } from '@org-mgmt/runtime';
import { PaymentFlow } from '../payments/payment-flow';
import { SubscriptionPayment } from '../payments/payment.repository';
import { priceOf } from '../plans/catalogue';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { cardOf, ChangeRequest, ChangeRequests, orderedBy, uniqueAsConflict } from '../subscriptions/change-requests';
import {
  publicSubscription,
  StoredSubscription,
  SubscriptionRepository,
} from '../subscriptions/subscription.repository';
import { alreadySubscribed, SubscriptionTransitions } from '../subscriptions/transitions';

/** POST subscription/create: subscribes an org that has no live subscription to a plan. */
@Injectable()
export class CreateSubscription {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionRepository,
    private readonly requests: ChangeRequests,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
    private readonly flow: PaymentFlow,
  ) {}

  /** A free plan starts at once; a paid plan starts when its first period is paid. */
  async execute(req: ChangeRequest, input: SubscriptionCreate): Promise<SubscriptionChangeResult | ReplayedResponse> {
    const replay = await this.requests.replay(req, 'create', input.plan, input.interval);
    if (replay) return replay;
    const amount = priceOf(input.plan, input.interval);
    if (amount > 0) this.requests.checkPayment(input.payment);
    const now = this.clock.now();
    type Outcome = { kind: 'free'; sub: StoredSubscription } | { kind: 'opened'; payment: SubscriptionPayment };
    const outcome = await this.recorder
      .transaction(async (trx): Promise<Outcome> => {
        await this.requests.requireNotDeleted(trx, req.orgId);
        if (await this.subscriptions.lockLive(trx, req.orgId)) throw alreadySubscribed();
        if (amount === 0) {
          const sub = await this.transitions.start(trx, {
            ...input,
            orgId: req.orgId,
            at: now,
            changedBy: req.principal.sub,
            amountCharged: 0,
          });
          return { kind: 'free', sub };
        }
        const opened = await this.flow.open(trx, {
          ...orderedBy(req),
          purpose: 'create',
          subscriptionId: null,
          plan: input.plan,
          interval: input.interval,
          amount,
          choice: input.payment!,
          proration: null,
          at: now,
        });
        return { kind: 'opened', payment: opened };
      })
      .catch(uniqueAsConflict);
    if (outcome.kind === 'free')
      return { subscription: publicSubscription(outcome.sub), amountCharged: 0, proration: null, payment: null };
    return this.flow.collect(outcome.payment, cardOf(input.payment));
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AppError, SubscriptionChangeResult, SubscriptionUpgrade } from '@org-mgmt/contracts';
import { CLOCK, Clock, ReplayedResponse } from '@org-mgmt/runtime';
import { PaymentFlow } from '../payments/payment-flow';
import { SubscriptionPayment } from '../payments/payment.repository';
import { compareChange, priceOf } from '../plans/catalogue';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import {
  cardOf,
  ChangeRequest,
  ChangeRequests,
  notA,
  orderedBy,
  uniqueAsConflict,
} from '../subscriptions/change-requests';
import { publicSubscription } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';
import { prorate } from './proration';

/** POST subscription/upgrade: to a higher plan at once, paying the prorated difference. */
@Injectable()
export class UpgradeSubscription {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly requests: ChangeRequests,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
    private readonly flow: PaymentFlow,
  ) {}

  /** Immediate and prorated to the second (see proration.ts); nothing due applies without a payment. */
  async execute(req: ChangeRequest, input: SubscriptionUpgrade): Promise<SubscriptionChangeResult | ReplayedResponse> {
    const now = this.clock.now();
    type Outcome =
      | { kind: 'done'; result: SubscriptionChangeResult | ReplayedResponse }
      | { kind: 'opened'; payment: SubscriptionPayment };
    const outcome = await this.recorder
      .transaction(async (trx): Promise<Outcome> => {
        const sub = await this.requests.lockedLive(trx, req.orgId);
        const interval = input.interval ?? sub.interval;
        const replay = await this.requests.replay(req, 'upgrade', input.plan, interval, trx);
        if (replay) return { kind: 'done', result: replay };
        if (sub.status === 'past_due')
          throw new AppError('CONFLICT', 'The last renewal is unpaid: settle it before upgrading');
        const kind = compareChange(sub, { plan: input.plan, interval });
        if (kind !== 'upgrade') throw notA({ wanted: 'upgrade', kind, from: sub, to: { plan: input.plan, interval } });
        const proration = prorate({
          oldPrice: sub.priceAmount,
          periodStart: sub.currentPeriodStart,
          periodEnd: sub.currentPeriodEnd,
          newPrice: priceOf(input.plan, interval),
          keepsPeriod: interval === sub.interval,
          at: now,
          currency: sub.currency,
        });
        const stamped = { ...proration, at: now };
        if (proration.amountDue === 0) {
          const after = await this.transitions.upgrade(trx, sub, {
            plan: input.plan,
            interval,
            proration: stamped,
            changedBy: req.principal.sub,
            amountCharged: 0,
            at: now,
          });
          return {
            kind: 'done',
            result: { subscription: publicSubscription(after), amountCharged: 0, proration, payment: null },
          };
        }
        this.requests.checkPayment(input.payment);
        const opened = await this.flow.open(trx, {
          ...orderedBy(req),
          purpose: 'upgrade',
          subscriptionId: sub.id,
          plan: input.plan,
          interval,
          amount: proration.amountDue,
          choice: input.payment!,
          proration: stamped,
          at: now,
        });
        return { kind: 'opened', payment: opened };
      })
      .catch(uniqueAsConflict);
    if (outcome.kind === 'done') return outcome.result;
    return this.flow.collect(outcome.payment, cardOf(input.payment));
  }
}

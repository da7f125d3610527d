import { Injectable } from '@nestjs/common';
import { AppError, BillingInterval, newId, PlanId, Proration } from '@org-mgmt/contracts';
import { isUniqueViolation, Knex } from '@org-mgmt/runtime';
import { planById, priceOf } from '../plans/catalogue';
import { ChangeRecorder } from './change-recorder';
import { periodEnd, wholeSecond } from './periods';
import { StoredSubscription, SubscriptionRepository } from './subscription.repository';

/** The state changes of a subscription, each inside the caller's transaction and recorded once. */
@Injectable()
export class SubscriptionTransitions {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly recorder: ChangeRecorder,
  ) {}

  /** A new live subscription whose first period starts now; a live one already there is a 409. */
  async start(
    trx: Knex.Transaction,
    input: {
      orgId: string;
      plan: PlanId;
      interval: BillingInterval;
      at: number;
      changedBy: string;
      amountCharged: number;
      priceAmount?: number;
    },
  ): Promise<StoredSubscription> {
    const start = wholeSecond(input.at);
    const plan = planById(input.plan);
    const sub: StoredSubscription = {
      id: newId('subscription'),
      orgId: input.orgId,
      plan: input.plan,
      interval: input.interval,
      status: 'active',
      priceAmount: input.priceAmount ?? priceOf(input.plan, input.interval),
      currency: plan.currency,
      currentPeriodStart: start,
      currentPeriodEnd: periodEnd(start, input.interval),
      cancelAtPeriodEnd: false,
      scheduledChange: null,
      cancelledAt: null,
      features: plan.features,
      unpaidPeriodEnd: null,
      createdAt: input.at,
      updatedAt: input.at,
    };
    try {
      await this.subscriptions.insert(trx, sub);
    } catch (err) {
      throw isUniqueViolation(err) ? alreadySubscribed() : err;
    }
    await this.recorder.record(trx, {
      change: 'created',
      before: null,
      after: sub,
      changedBy: input.changedBy,
      at: input.at,
      amountCharged: input.amountCharged,
    });
    return sub;
  }

  /**
   * Switches to a higher plan at once. The same interval keeps the period; a new interval starts a
   * new period at the moment the proration was computed for. Scheduled downgrades and cancellations
   * are dropped: the latest intent wins.
   */
  async upgrade(
    trx: Knex.Transaction,
    sub: StoredSubscription,
    input: {
      plan: PlanId;
      interval: BillingInterval;
      proration: Proration & { at: number };
      changedBy: string;
      amountCharged: number;
      at: number;
    },
  ): Promise<StoredSubscription> {
    const newPeriod = input.interval !== sub.interval;
    const start = wholeSecond(input.proration.at);
    const after = await this.subscriptions.update(
      trx,
      sub.id,
      {
        plan: input.plan,
        interval: input.interval,
        priceAmount: priceOf(input.plan, input.interval),
        ...(newPeriod ? { currentPeriodStart: start, currentPeriodEnd: periodEnd(start, input.interval) } : {}),
        cancelAtPeriodEnd: false,
        scheduled: null,
      },
      input.at,
    );
    await this.recorder.record(trx, {
      change: 'upgraded',
      before: sub,
      after,
      changedBy: input.changedBy,
      at: input.at,
      amountCharged: input.amountCharged,
      details: { proration: input.proration },
    });
    return after;
  }

  async cancelNow(
    trx: Knex.Transaction,
    sub: StoredSubscription,
    changedBy: string,
    at: number,
    reason: string | null,
  ): Promise<StoredSubscription> {
    const after = await this.subscriptions.update(
      trx,
      sub.id,
      {
        status: 'cancelled',
        cancelledAt: at,
        cancelAtPeriodEnd: false,
        scheduled: null,
        unpaidPeriodEnd: null,
      },
      at,
    );
    await this.recorder.record(trx, { change: 'cancelled', before: sub, after, changedBy, at, reason });
    return after;
  }
}

export function alreadySubscribed(): AppError {
  return new AppError('CONFLICT', 'The org already has a live subscription: use upgrade, downgrade or cancel');
}

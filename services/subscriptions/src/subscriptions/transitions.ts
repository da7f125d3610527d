import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  BillingInterval,
  newId,
  PlanId,
  Proration,
  SubscriptionAdminUpdate,
  SubscriptionPaymentFailedEvent,
} from '@org-mgmt/contracts';
import { CLOCK, Clock, isUniqueViolation, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { CreditsClient } from '../payments/credits.client';
import { planById, priceOf } from '../plans/catalogue';
import { ChangeRecorder } from './change-recorder';
import { periodEnd, wholeSecond } from './periods';
import {
  publicSubscription,
  StoredSubscription,
  SubscriptionFields,
  SubscriptionRepository,
} from './subscription.repository';

/** Who the changes made at a period end are recorded as. */
const RENEWAL_ACTOR = 'system:subscription-worker';

/** Who made a change, when, and why. */
export interface ChangeActor {
  changedBy: string;
  at: number;
  reason?: string | null;
}

/**
 * Owns the status, the period and the scheduled change of every subscription: every state change
 * (start, upgrade, scheduled downgrade or cancellation, cancellation, renewal, past due, recovery,
 * operator override) is decided and written here, inside the caller's transaction, and recorded once.
 */
@Injectable()
export class SubscriptionTransitions {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    private readonly subscriptions: SubscriptionRepository,
    private readonly recorder: ChangeRecorder,
    private readonly credits: CreditsClient,
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

  /** The lower plan takes over at the period end; it replaces an earlier scheduled downgrade or cancellation. */
  async scheduleDowngrade(
    trx: Knex.Transaction,
    sub: StoredSubscription,
    to: { plan: PlanId; interval: BillingInterval },
    by: ChangeActor,
  ): Promise<StoredSubscription> {
    const after = await this.subscriptions.update(trx, sub.id, { scheduled: to, cancelAtPeriodEnd: false }, by.at);
    await this.recorder.record(trx, {
      change: 'downgrade_scheduled',
      before: sub,
      after,
      changedBy: by.changedBy,
      at: by.at,
      details: { ...to, effectiveAt: sub.currentPeriodEnd },
    });
    return after;
  }

  /** Ends at the period end, replacing a scheduled downgrade; one already scheduled to end is left as it is. */
  async scheduleCancellation(
    trx: Knex.Transaction,
    sub: StoredSubscription,
    by: ChangeActor,
  ): Promise<StoredSubscription> {
    if (sub.cancelAtPeriodEnd) return sub;
    const after = await this.subscriptions.update(trx, sub.id, { cancelAtPeriodEnd: true, scheduled: null }, by.at);
    await this.recorder.record(trx, { change: 'cancel_scheduled', before: sub, after, ...by });
    return after;
  }

  async cancelNow(trx: Knex.Transaction, sub: StoredSubscription, by: ChangeActor): Promise<StoredSubscription> {
    const after = await this.subscriptions.update(
      trx,
      sub.id,
      { status: 'cancelled', cancelledAt: by.at, cancelAtPeriodEnd: false, scheduled: null, unpaidPeriodEnd: null },
      by.at,
    );
    await this.recorder.record(trx, { change: 'cancelled', before: sub, after, ...by });
    return after;
  }

  /**
   * The operator override: the fields the request names, applied at once without a charge and
   * audited with the request, the state before and after. Flag overrides travel on the event.
   */
  async override(
    trx: Knex.Transaction,
    sub: StoredSubscription,
    input: SubscriptionAdminUpdate,
    by: { changedBy: string; at: number },
  ): Promise<StoredSubscription> {
    const fields = overrideFields(sub, input, by.at);
    const after = Object.keys(fields).length ? await this.subscriptions.update(trx, sub.id, fields, by.at) : sub;
    await this.recorder.record(trx, {
      change: 'admin_updated',
      before: sub,
      after,
      ...by,
      reason: input.reason,
      details: { request: input, before: publicSubscription(sub), after: publicSubscription(after) },
      featureOverrides: input.features,
    });
    return after;
  }

  /**
   * A subscription whose period has ended: cancelled when that was scheduled, else charged (from the
   * credit balance) for its next period, on the scheduled lower plan if any, and renewed when paid or
   * made past due when refused. When billing cannot be reached nothing changes ('retry-later': the
   * charge's reference makes the retry safe).
   */
  async renewDue(trx: Knex.Transaction, sub: StoredSubscription): Promise<'done' | 'retry-later'> {
    if (sub.cancelAtPeriodEnd) {
      await this.endAtPeriodEnd(trx, sub, sub.currentPeriodEnd, 'Cancelled at the period end');
      return 'done';
    }
    const next = sub.scheduledChange ?? { plan: sub.plan, interval: sub.interval };
    const price = sub.scheduledChange ? priceOf(next.plan, next.interval) : sub.priceAmount;
    const charge = await this.credits.chargeRenewal(sub, price, sub.currentPeriodEnd);
    if (charge === 'retry-later') return 'retry-later';
    const now = this.clock.now();
    const paid = charge === 'paid';
    const after = await this.subscriptions.update(
      trx,
      sub.id,
      {
        plan: next.plan,
        interval: next.interval,
        priceAmount: price,
        scheduled: null,
        ...(paid
          ? {
              currentPeriodStart: sub.currentPeriodEnd,
              currentPeriodEnd: periodEnd(sub.currentPeriodEnd, next.interval),
            }
          : { status: 'past_due', unpaidPeriodEnd: sub.currentPeriodEnd }),
      },
      now,
    );
    if (sub.scheduledChange || paid) {
      await this.recorder.record(trx, {
        change: sub.scheduledChange ? 'downgraded' : 'renewed',
        before: sub,
        after,
        changedBy: RENEWAL_ACTOR,
        at: now,
        amountCharged: paid && price > 0 ? price : 0,
      });
    }
    if (!paid) {
      await this.outbox.add(trx, SubscriptionPaymentFailedEvent, sub.orgId, {
        orgId: sub.orgId,
        subscriptionId: sub.id,
        plan: next.plan,
        amount: price,
        currency: sub.currency,
        reason: charge.reason,
        attemptedAt: now,
      });
    }
    return 'done';
  }

  /**
   * A past-due subscription: charges the unpaid period again (same reference) and renews once it is
   * paid; one cancelled meanwhile (at the period end) ends without being charged. True when renewed;
   * anything not past due is left alone.
   */
  async recoverUnpaid(trx: Knex.Transaction, sub: StoredSubscription): Promise<boolean> {
    if (sub.status !== 'past_due' || sub.unpaidPeriodEnd === null) return false;
    if (sub.cancelAtPeriodEnd) {
      await this.endAtPeriodEnd(trx, sub, sub.unpaidPeriodEnd, 'Cancelled while the renewal was unpaid');
      return false;
    }
    const now = this.clock.now();
    if ((await this.credits.chargeRenewal(sub, sub.priceAmount, sub.unpaidPeriodEnd)) !== 'paid') return false;
    const after = await this.subscriptions.update(
      trx,
      sub.id,
      {
        status: 'active',
        unpaidPeriodEnd: null,
        currentPeriodStart: sub.unpaidPeriodEnd,
        currentPeriodEnd: periodEnd(sub.unpaidPeriodEnd, sub.interval),
      },
      now,
    );
    await this.recorder.record(trx, {
      change: 'renewed',
      before: sub,
      after,
      changedBy: RENEWAL_ACTOR,
      at: now,
      amountCharged: sub.priceAmount,
      reason: 'Unpaid renewal recovered',
    });
    return true;
  }

  /** A cancellation scheduled for the period end that has come: the subscription ended at `endedAt`. */
  private async endAtPeriodEnd(
    trx: Knex.Transaction,
    sub: StoredSubscription,
    endedAt: number,
    reason: string,
  ): Promise<void> {
    const at = this.clock.now();
    const after = await this.subscriptions.update(
      trx,
      sub.id,
      { status: 'cancelled', cancelledAt: endedAt, cancelAtPeriodEnd: false, unpaidPeriodEnd: null },
      at,
    );
    await this.recorder.record(trx, { change: 'cancelled', before: sub, after, changedBy: RENEWAL_ACTOR, at, reason });
  }
}

function overrideFields(sub: StoredSubscription, input: SubscriptionAdminUpdate, now: number): SubscriptionFields {
  const fields: SubscriptionFields = {};
  if (input.plan !== undefined) fields.plan = input.plan;
  if (input.interval !== undefined) fields.interval = input.interval;
  if (input.priceAmount !== undefined) fields.priceAmount = input.priceAmount;
  else if (input.plan !== undefined || input.interval !== undefined)
    fields.priceAmount = priceOf(input.plan ?? sub.plan, input.interval ?? sub.interval);
  if (input.currentPeriodEnd !== undefined) {
    if (input.currentPeriodEnd <= sub.currentPeriodStart) {
      throw new AppError('VALIDATION_FAILED', 'currentPeriodEnd must be after the period start', {
        fields: [{ path: 'body.currentPeriodEnd', message: `must be after ${sub.currentPeriodStart}` }],
      });
    }
    fields.currentPeriodEnd = input.currentPeriodEnd;
  }
  if (input.status !== undefined && input.status !== sub.status) {
    fields.status = input.status;
    if (input.status === 'cancelled')
      Object.assign(fields, { cancelledAt: now, cancelAtPeriodEnd: false, scheduled: null });
    if (input.status === 'active') fields.unpaidPeriodEnd = null;
  }
  return fields;
}

export function alreadySubscribed(): AppError {
  return new AppError('CONFLICT', 'The org already has a live subscription: use upgrade, downgrade or cancel');
}

import { Inject, Injectable } from '@nestjs/common';
import { BillingInterval, PlanId, Subscription, SubscriptionStatus } from '@org-mgmt/contracts';
import { DATABASE, Knex } from '@org-mgmt/runtime';
import { planById } from '../plans/catalogue';

interface SubscriptionRow {
  id: string;
  org_id: string;
  plan: PlanId;
  interval: BillingInterval;
  status: SubscriptionStatus;
  price_amount: number;
  currency: string;
  current_period_start: number;
  current_period_end: number;
  cancel_at_period_end: boolean;
  scheduled_plan: PlanId | null;
  scheduled_interval: BillingInterval | null;
  cancelled_at: number | null;
  unpaid_period_end: number | null;
  created_at: number;
  updated_at: number;
}

/** A subscription as stored, with what the worker needs beyond the public shape. */
export interface StoredSubscription extends Subscription {
  unpaidPeriodEnd: number | null;
}

export type SubscriptionFields = Partial<
  Pick<
    StoredSubscription,
    | 'plan'
    | 'interval'
    | 'status'
    | 'priceAmount'
    | 'currentPeriodStart'
    | 'currentPeriodEnd'
    | 'cancelAtPeriodEnd'
    | 'cancelledAt'
    | 'unpaidPeriodEnd'
  >
> & { scheduled?: { plan: PlanId; interval: BillingInterval } | null };

export interface ChangeRecord {
  id: string;
  subscriptionId: string;
  orgId: string;
  change: string;
  fromPlan: PlanId | null;
  toPlan: PlanId;
  amountCharged: number;
  changedBy: string;
  reason: string | null;
  details: Record<string, unknown>;
  changedAt: number;
}

type Db = Knex | Knex.Transaction;

@Injectable()
export class SubscriptionRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  /** The org's live subscription, else its most recent cancelled one. */
  async current(orgId: string, db: Db = this.db): Promise<StoredSubscription | null> {
    const row: SubscriptionRow | undefined = await db('subscriptions')
      .where({ org_id: orgId })
      .orderByRaw(`(status <> 'cancelled') DESC, created_at DESC`)
      .first();
    return row ? toSubscription(row) : null;
  }

  async lockLive(trx: Knex.Transaction, orgId: string): Promise<StoredSubscription | null> {
    const row: SubscriptionRow | undefined = await trx('subscriptions')
      .where({ org_id: orgId })
      .whereNot({ status: 'cancelled' })
      .forUpdate()
      .first();
    return row ? toSubscription(row) : null;
  }

  async lockById(trx: Knex.Transaction, id: string): Promise<StoredSubscription | null> {
    const row: SubscriptionRow | undefined = await trx('subscriptions').where({ id }).forUpdate().first();
    return row ? toSubscription(row) : null;
  }

  /** Claims up to `limit` active subscriptions whose period has ended; rows other workers hold are skipped. */
  async claimDue(
    trx: Knex.Transaction,
    now: number,
    limit: number,
    except: readonly string[] = [],
  ): Promise<StoredSubscription[]> {
    const rows: SubscriptionRow[] = await trx('subscriptions')
      .where({ status: 'active' })
      .where('current_period_end', '<=', now)
      .whereNotIn('id', except)
      .orderBy('current_period_end')
      .limit(limit)
      .forUpdate()
      .skipLocked();
    return rows.map(toSubscription);
  }

  async unpaidIds(): Promise<string[]> {
    return this.db('subscriptions')
      .where({ status: 'past_due' })
      .whereNotNull('unpaid_period_end')
      .orderBy('updated_at')
      .pluck('id');
  }

  async insert(trx: Knex.Transaction, sub: StoredSubscription): Promise<void> {
    await trx('subscriptions').insert({
      id: sub.id,
      org_id: sub.orgId,
      plan: sub.plan,
      interval: sub.interval,
      status: sub.status,
      price_amount: sub.priceAmount,
      currency: sub.currency,
      current_period_start: sub.currentPeriodStart,
      current_period_end: sub.currentPeriodEnd,
      cancel_at_period_end: sub.cancelAtPeriodEnd,
      scheduled_plan: sub.scheduledChange?.plan ?? null,
      scheduled_interval: sub.scheduledChange?.interval ?? null,
      cancelled_at: sub.cancelledAt,
      unpaid_period_end: sub.unpaidPeriodEnd,
      created_at: sub.createdAt,
      updated_at: sub.updatedAt,
    });
  }

  async update(
    trx: Knex.Transaction,
    id: string,
    fields: SubscriptionFields,
    now: number,
  ): Promise<StoredSubscription> {
    const row: Record<string, unknown> = { updated_at: now };
    const columns: [keyof SubscriptionFields, string][] = [
      ['plan', 'plan'],
      ['interval', 'interval'],
      ['status', 'status'],
      ['priceAmount', 'price_amount'],
      ['currentPeriodStart', 'current_period_start'],
      ['currentPeriodEnd', 'current_period_end'],
      ['cancelAtPeriodEnd', 'cancel_at_period_end'],
      ['cancelledAt', 'cancelled_at'],
      ['unpaidPeriodEnd', 'unpaid_period_end'],
    ];
    for (const [field, column] of columns) if (fields[field] !== undefined) row[column] = fields[field];
    if (fields.scheduled !== undefined) {
      row.scheduled_plan = fields.scheduled?.plan ?? null;
      row.scheduled_interval = fields.scheduled?.interval ?? null;
    }
    const [updated]: SubscriptionRow[] = await trx('subscriptions').where({ id }).update(row).returning('*');
    return toSubscription(updated);
  }

  async recordChange(trx: Knex.Transaction, change: ChangeRecord): Promise<void> {
    await trx('subscription_changes').insert({
      id: change.id,
      subscription_id: change.subscriptionId,
      org_id: change.orgId,
      change: change.change,
      from_plan: change.fromPlan,
      to_plan: change.toPlan,
      amount_charged: change.amountCharged,
      changed_by: change.changedBy,
      reason: change.reason,
      details: JSON.stringify(change.details),
      changed_at: change.changedAt,
    });
  }
}

function toSubscription(row: SubscriptionRow): StoredSubscription {
  return {
    id: row.id,
    orgId: row.org_id,
    plan: row.plan,
    interval: row.interval,
    status: row.status,
    priceAmount: row.price_amount,
    currency: row.currency,
    currentPeriodStart: row.current_period_start,
    currentPeriodEnd: row.current_period_end,
    cancelAtPeriodEnd: row.cancel_at_period_end,
    scheduledChange:
      row.scheduled_plan && row.scheduled_interval
        ? { plan: row.scheduled_plan, interval: row.scheduled_interval, effectiveAt: row.current_period_end }
        : null,
    cancelledAt: row.cancelled_at,
    features: row.status === 'cancelled' ? [] : planById(row.plan).features,
    unpaidPeriodEnd: row.unpaid_period_end,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The public shape: drops the worker's bookkeeping. */
export function publicSubscription(sub: StoredSubscription): Subscription {
  const { unpaidPeriodEnd: _unpaid, ...rest } = sub;
  return rest;
}

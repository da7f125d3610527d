import { Inject, Injectable } from '@nestjs/common';
import { BillingInterval, PlanId, Proration } from '@org-mgmt/contracts';
import { DATABASE, IdempotentRequest, Knex } from '@org-mgmt/runtime';

export type PaymentPurpose = 'create' | 'upgrade';
export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

/** A charge for a subscription change: the change is applied when (and only when) it succeeds. */
export interface SubscriptionPayment {
  id: string;
  orgId: string;
  subscriptionId: string | null;
  purpose: PaymentPurpose;
  plan: PlanId;
  interval: BillingInterval;
  amount: number;
  currency: string;
  method: 'credits' | 'card';
  gateway: string | null;
  gatewayPaymentId: string | null;
  status: PaymentStatus;
  idempotencyKey: string | null;
  requestedBy: string;
  /** The proration the amount came from, with the instant it was computed for. */
  proration: (Proration & { at: number }) | null;
  createdAt: number;
  completedAt: number | null;
  /** Set when the payment succeeded but its change could not be applied (the org was deleted meanwhile): the money is owed back. */
  refundDueReason: string | null;
}

interface PaymentRow {
  id: string;
  org_id: string;
  subscription_id: string | null;
  purpose: PaymentPurpose;
  plan: PlanId;
  interval: BillingInterval;
  amount: number;
  currency: string;
  method: 'credits' | 'card';
  gateway: string | null;
  gateway_payment_id: string | null;
  status: PaymentStatus;
  idempotency_key: string | null;
  requested_by: string;
  proration: (Proration & { at: number }) | null;
  created_at: number;
  completed_at: number | null;
  refund_due_reason: string | null;
}

/**
 * The Idempotency-Key of a paid change (IdempotencyKeys): create and upgrade share one key space per
 * org, and the key is completed with the change's answer when the payment settles.
 */
export function paymentKey(
  orgId: string,
  key: string,
  change: Pick<SubscriptionPayment, 'purpose' | 'plan' | 'interval'>,
): IdempotentRequest & { key: string } {
  const parameters = { purpose: change.purpose, plan: change.plan, interval: change.interval };
  return { scope: 'subscriptions.payment', account: orgId, key, parameters };
}

@Injectable()
export class PaymentRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async insert(trx: Knex.Transaction, p: SubscriptionPayment): Promise<void> {
    await trx('subscription_payments').insert({
      id: p.id,
      org_id: p.orgId,
      subscription_id: p.subscriptionId,
      purpose: p.purpose,
      plan: p.plan,
      interval: p.interval,
      amount: p.amount,
      currency: p.currency,
      method: p.method,
      gateway: p.gateway,
      gateway_payment_id: p.gatewayPaymentId,
      status: p.status,
      idempotency_key: p.idempotencyKey,
      requested_by: p.requestedBy,
      proration: p.proration ? JSON.stringify(p.proration) : null,
      created_at: p.createdAt,
      completed_at: p.completedAt,
    });
  }

  async find(id: string, db: Knex | Knex.Transaction = this.db): Promise<SubscriptionPayment | null> {
    const row: PaymentRow | undefined = await db('subscription_payments').where({ id }).first();
    return row ? toPayment(row) : null;
  }

  async findByIdempotencyKey(
    orgId: string,
    key: string,
    db: Knex | Knex.Transaction = this.db,
  ): Promise<SubscriptionPayment | null> {
    const row: PaymentRow | undefined = await db('subscription_payments')
      .where({ org_id: orgId, idempotency_key: key })
      .first();
    return row ? toPayment(row) : null;
  }

  async pendingOf(orgId: string, db: Knex | Knex.Transaction = this.db): Promise<SubscriptionPayment | null> {
    const row: PaymentRow | undefined = await db('subscription_payments')
      .where({ org_id: orgId, status: 'pending' })
      .first();
    return row ? toPayment(row) : null;
  }

  /** Pending credit payments older than `before`: left by a crash between the debit and its application. */
  strandedCreditPayments(before: number, limit: number): Promise<SubscriptionPayment[]> {
    return this.pendingSince('credits', before, limit);
  }

  async setGatewayPayment(trx: Knex.Transaction, id: string, gatewayPaymentId: string): Promise<void> {
    await trx('subscription_payments').where({ id }).update({ gateway_payment_id: gatewayPaymentId });
  }

  /** Card payments still pending since before `before`: the worker asks the gateway how they ended. */
  staleCardPayments(before: number, limit: number): Promise<SubscriptionPayment[]> {
    return this.pendingSince('card', before, limit);
  }

  /** Pending payments of one method created before `before`, oldest first. */
  private async pendingSince(
    method: 'credits' | 'card',
    before: number,
    limit: number,
  ): Promise<SubscriptionPayment[]> {
    const rows: PaymentRow[] = await this.db('subscription_payments')
      .where({ status: 'pending', method })
      .where('created_at', '<', before)
      .orderBy('created_at')
      .limit(limit);
    return rows.map(toPayment);
  }

  async markRefundDue(trx: Knex.Transaction, id: string, reason: string): Promise<SubscriptionPayment> {
    const [row]: PaymentRow[] = await trx('subscription_payments')
      .where({ id })
      .update({ refund_due_reason: reason })
      .returning('*');
    return toPayment(row);
  }

  /**
   * Moves a pending payment to its final status. Exactly one caller wins: the others find it no
   * longer pending and get null.
   */
  async settle(
    trx: Knex.Transaction,
    id: string,
    status: 'succeeded' | 'failed',
    now: number,
  ): Promise<SubscriptionPayment | null> {
    const [row]: PaymentRow[] = await trx('subscription_payments')
      .where({ id, status: 'pending' })
      .update({ status, completed_at: now })
      .returning('*');
    return row ? toPayment(row) : null;
  }
}

function toPayment(row: PaymentRow): SubscriptionPayment {
  return {
    id: row.id,
    orgId: row.org_id,
    subscriptionId: row.subscription_id,
    purpose: row.purpose,
    plan: row.plan,
    interval: row.interval,
    amount: row.amount,
    currency: row.currency,
    method: row.method,
    gateway: row.gateway,
    gatewayPaymentId: row.gateway_payment_id,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    requestedBy: row.requested_by,
    proration: row.proration,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    refundDueReason: row.refund_due_reason,
  };
}

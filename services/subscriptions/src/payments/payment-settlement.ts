import { Inject, Injectable } from '@nestjs/common';
import { AppError, SubscriptionChangeResult } from '@org-mgmt/contracts';
import { CLOCK, Clock, IdempotencyKeys, Knex } from '@org-mgmt/runtime';
import { DeletedOrgsRepository } from '../org-events/deleted-orgs.repository';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import {
  publicSubscription,
  StoredSubscription,
  SubscriptionRepository,
} from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';
import { paymentKey, PaymentRepository, SubscriptionPayment } from './payment.repository';

export interface Settlement {
  /** True only for the one call that applied the payment's change. */
  applied: boolean;
  payment: SubscriptionPayment;
  subscription: StoredSubscription | null;
}

/** Settles a payment once and applies its change in the same transaction: whoever settles it first applies it. */
@Injectable()
export class PaymentSettlement {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly payments: PaymentRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
    private readonly deletedOrgs: DeletedOrgsRepository,
    private readonly idempotencyKeys: IdempotencyKeys,
  ) {}

  /**
   * Locks in the one order every writer uses (the org's deletion lock, subscription row, payment row), so a settlement
   * and a new change request for the same org queue instead of deadlocking.
   */
  async settle(paymentId: string, status: 'succeeded' | 'failed'): Promise<Settlement> {
    return this.recorder.transaction(async (trx) => {
      const now = this.clock.now();
      const pending = await this.payments.find(paymentId, trx);
      if (pending) await this.deletedOrgs.lock(trx, pending.orgId);
      const sub = pending?.subscriptionId ? await this.subscriptions.lockById(trx, pending.subscriptionId) : null;
      const settled = await this.payments.settle(trx, paymentId, status, now);
      if (!settled || status === 'failed') {
        const payment = (settled ?? (await this.payments.find(paymentId, trx)))!;
        return { applied: false, payment, subscription: await this.subscriptions.current(payment.orgId, trx) };
      }
      if (await this.deletedOrgs.isDeleted(trx, settled.orgId)) {
        // Paid after the org was deleted: the money was taken, nothing is applied, it is owed back.
        const payment = await this.payments.markRefundDue(trx, paymentId, 'org_deleted');
        return { applied: false, payment, subscription: await this.subscriptions.current(payment.orgId, trx) };
      }
      const subscription = await this.apply(trx, settled, sub, now);
      const settlement = { applied: true, payment: settled, subscription };
      if (settled.idempotencyKey) {
        const key = paymentKey(settled.orgId, settled.idempotencyKey, settled);
        await this.idempotencyKeys.complete(trx, key, resultOf(settlement));
      }
      return settlement;
    });
  }

  private async apply(
    trx: Knex.Transaction,
    payment: SubscriptionPayment,
    sub: StoredSubscription | null,
    now: number,
  ): Promise<StoredSubscription> {
    const common = {
      plan: payment.plan,
      interval: payment.interval,
      changedBy: payment.requestedBy,
      amountCharged: payment.amount,
      at: now,
    };
    if (payment.purpose === 'create') return this.transitions.start(trx, { ...common, orgId: payment.orgId });
    if (!sub) throw new AppError('NOT_FOUND', `Subscription ${payment.subscriptionId} is gone`);
    return this.transitions.upgrade(trx, sub, { ...common, proration: payment.proration! });
  }
}

export function resultOf(settlement: Settlement): SubscriptionChangeResult {
  const { payment, subscription } = settlement;
  return {
    subscription: subscription ? publicSubscription(subscription) : null,
    amountCharged: payment.status === 'succeeded' ? payment.amount : 0,
    proration: payment.proration ? withoutInstant(payment.proration) : null,
    payment: null,
  };
}

export function withoutInstant<T extends { at: number }>(value: T): Omit<T, 'at'> {
  const { at: _at, ...rest } = value;
  return rest;
}

import { Inject, Injectable } from '@nestjs/common';
import { AppError, SubscriptionChangeResult } from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, isUniqueViolation, Knex } from '@org-mgmt/runtime';
import { publicSubscription, StoredSubscription, SubscriptionRepository } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';
import { CreditsClient } from './credits.client';
import { PaymentRepository, SubscriptionPayment } from './payment.repository';

export interface Settlement {
  /** True only for the one call that applied the payment's change. */
  applied: boolean;
  payment: SubscriptionPayment;
  subscription: StoredSubscription | null;
}

/**
 * A paid change is a pending payment first (committed, so a crash leaves a trace), then a charge,
 * then one transaction that settles the payment and applies the change: whoever settles it first
 * applies it; every later caller finds it settled and changes nothing.
 */
@Injectable()
export class PaymentFlow {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly payments: PaymentRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly transitions: SubscriptionTransitions,
    private readonly credits: CreditsClient,
  ) {}

  /** Records the pending payment; a second payment in flight for the org is a 409. */
  async open(trx: Knex.Transaction, payment: SubscriptionPayment): Promise<void> {
    try {
      await this.payments.insert(trx, payment);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw new AppError('CONFLICT', 'A subscription payment for this org is already in progress; finish or retry it first');
    }
  }

  /** Charges an opened payment by its method and applies the change when it is paid. */
  async collect(payment: SubscriptionPayment): Promise<SubscriptionChangeResult> {
    if (payment.method !== 'credits') throw new AppError('UNPROCESSABLE', 'Card payments are not available');
    const outcome = await this.credits.debit({
      orgId: payment.orgId,
      reference: payment.id,
      amount: payment.amount,
      currency: payment.currency,
      reason: `Subscription ${payment.purpose}: ${payment.plan} (${payment.interval})`,
    });
    if (outcome.ok) return resultOf(await this.settle(payment.id, 'succeeded'));
    // Declined: nothing was debited. Any other failure may have debited: the payment stays pending
    // and the renewal worker retries the debit by the same reference, which billing answers once.
    if (outcome.declined) await this.settle(payment.id, 'failed');
    throw outcome.error;
  }

  async settle(paymentId: string, status: 'succeeded' | 'failed'): Promise<Settlement> {
    return this.db.transaction(async (trx) => {
      const now = this.clock.now();
      const settled = await this.payments.settle(trx, paymentId, status, now);
      if (!settled || status === 'failed') {
        const payment = (settled ?? (await this.payments.find(paymentId, trx)))!;
        return { applied: false, payment, subscription: await this.subscriptions.current(payment.orgId, trx) };
      }
      const subscription = await this.apply(trx, settled, now);
      const settlement = { applied: true, payment: settled, subscription };
      await this.payments.setResponse(trx, paymentId, resultOf(settlement));
      return settlement;
    });
  }

  private async apply(trx: Knex.Transaction, payment: SubscriptionPayment, now: number): Promise<StoredSubscription> {
    const common = { plan: payment.plan, interval: payment.interval, changedBy: payment.requestedBy, amountCharged: payment.amount, at: now };
    if (payment.purpose === 'create') return this.transitions.start(trx, { ...common, orgId: payment.orgId });
    const sub = await this.subscriptions.lockById(trx, payment.subscriptionId!);
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

function withoutInstant<T extends { at: number }>(value: T): Omit<T, 'at'> {
  const { at: _at, ...rest } = value;
  return rest;
}

import { Inject, Injectable } from '@nestjs/common';
import { AppError, PaymentChoice, SubscriptionChangeResult } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway, VerifiedPayment } from '@org-mgmt/payments';
import { CLOCK, Clock, DATABASE, IdempotencyKeys, isUniqueViolation, Knex } from '@org-mgmt/runtime';
import { DeletedOrgsRepository } from '../orgs/deleted-orgs.repository';
import {
  publicSubscription,
  StoredSubscription,
  SubscriptionRepository,
} from '../subscriptions/subscription.repository';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { SubscriptionTransitions } from '../subscriptions/transitions';
import { CreditsClient } from './credits.client';
import { paymentKey, PaymentRepository, SubscriptionPayment } from './payment.repository';

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
    private readonly recorder: ChangeRecorder,
    private readonly credits: CreditsClient,
    private readonly deletedOrgs: DeletedOrgsRepository,
    private readonly idempotencyKeys: IdempotencyKeys,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  get gatewayName(): string {
    return this.gateway.name;
  }

  /** A card must go through the gateway this deployment is configured with. */
  checkChoice(choice: PaymentChoice): void {
    if (choice.method === 'card' && choice.gateway !== this.gateway.name) {
      throw new AppError('VALIDATION_FAILED', `This deployment takes card payments through ${this.gateway.name}`, {
        fields: [{ path: 'body.payment.gateway', message: `must be ${this.gateway.name}` }],
      });
    }
  }

  /** Records the pending payment; a second payment in flight for the org is a 409. */
  async open(trx: Knex.Transaction, payment: SubscriptionPayment): Promise<void> {
    try {
      await this.payments.insert(trx, payment);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw new AppError(
        'CONFLICT',
        'A subscription payment for this org is already in progress; finish or retry it first',
      );
    }
  }

  /** Charges an opened payment by its method and applies the change when it is paid. */
  async collect(payment: SubscriptionPayment, paymentMethodId?: string): Promise<SubscriptionChangeResult> {
    return payment.method === 'credits'
      ? this.collectFromCredits(payment)
      : this.startCardPayment(payment, paymentMethodId);
  }

  private async collectFromCredits(payment: SubscriptionPayment): Promise<SubscriptionChangeResult> {
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

  /**
   * Creates the PaymentIntent (idempotent by our payment id). The customer confirms it in the
   * browser, then calls complete-payment; a gateway that confirms at once (the sandbox) settles now.
   */
  private async startCardPayment(
    payment: SubscriptionPayment,
    paymentMethodId?: string,
  ): Promise<SubscriptionChangeResult> {
    let created;
    try {
      created = await this.gateway.createPayment({
        amount: payment.amount,
        currency: payment.currency,
        orgId: payment.orgId,
        purpose: 'subscription',
        metadata: { subscriptionPaymentId: payment.id },
        paymentMethodId,
        description: `Subscription ${payment.purpose}: ${payment.plan} (${payment.interval})`,
        idempotencyKey: payment.id,
      });
    } catch (err) {
      await this.settle(payment.id, 'failed');
      throw err;
    }
    await this.db.transaction((trx) => this.payments.setGatewayPayment(trx, payment.id, created.paymentId));
    if (created.state !== 'pending')
      return resultOf(await this.finishVerified(payment.id, await this.gateway.retrievePayment(created.paymentId)));
    return {
      subscription: await this.currentPublic(payment.orgId),
      amountCharged: 0,
      proration: payment.proration ? withoutInstant(payment.proration) : null,
      payment: {
        paymentId: payment.id,
        amount: payment.amount,
        currency: payment.currency,
        gateway: this.gateway.name,
        paymentIntentId: created.paymentId,
        paymentIntentClientSecret: created.clientSecret,
        checkoutSessionId: null,
        checkoutUrl: null,
      },
    };
  }

  /**
   * complete-payment / complete-checkout: asks the gateway what happened to the payment (never the
   * client) and settles it. Concurrent and repeated calls apply the change once; a payment that did
   * not go through, or whose amount or currency differ from what was due, is failed with 402.
   */
  async complete(
    paymentId: string,
    gatewayPaymentId: string,
    gateway: string,
  ): Promise<{ settlement: Settlement; status: 'succeeded' | 'pending' }> {
    const payment = await this.payments.find(paymentId);
    if (
      !payment ||
      payment.method !== 'card' ||
      payment.gateway !== gateway ||
      payment.gatewayPaymentId !== gatewayPaymentId
    ) {
      throw new AppError('NOT_FOUND', 'No such subscription payment for this gateway payment');
    }
    if (payment.status !== 'pending') return this.completedEarlier(payment);
    const verified = await this.gateway.retrievePayment(gatewayPaymentId);
    if (verified?.state === 'pending')
      return {
        settlement: { applied: false, payment, subscription: await this.subscriptions.current(payment.orgId) },
        status: 'pending',
      };
    return { settlement: await this.finishVerified(paymentId, verified), status: 'succeeded' };
  }

  private async completedEarlier(
    payment: SubscriptionPayment,
  ): Promise<{ settlement: Settlement; status: 'succeeded' | 'pending' }> {
    if (payment.status === 'failed')
      throw new AppError('PAYMENT_FAILED', 'The subscription payment did not go through');
    const subscription = await this.subscriptions.current(payment.orgId);
    return { settlement: { applied: false, payment, subscription }, status: 'succeeded' };
  }

  /**
   * Settles from what the gateway verified: succeeded with exactly the amount and currency due, else
   * failed. Before failing it, the payment is cancelled at the gateway, so a declined intent cannot be
   * paid later without us knowing; if it turns out paid meanwhile, it counts.
   */
  async finishVerified(paymentId: string, verified: VerifiedPayment | null): Promise<Settlement> {
    const payment = (await this.payments.find(paymentId))!;
    let final = verified;
    if (!paidInFull(payment, final) && payment.gatewayPaymentId)
      final = (await this.gateway.cancelPayment(payment.gatewayPaymentId)) ?? final;
    const settlement = await this.settle(paymentId, paidInFull(payment, final) ? 'succeeded' : 'failed');
    if (settlement.payment.status === 'failed')
      throw new AppError('PAYMENT_FAILED', final?.failureReason ?? 'The payment did not go through');
    return settlement;
  }

  private async currentPublic(orgId: string) {
    const sub = await this.subscriptions.current(orgId);
    return sub ? publicSubscription(sub) : null;
  }

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
      if (settled.idempotencyKey)
        await this.idempotencyKeys.complete(
          trx,
          paymentKey(settled.orgId, settled.idempotencyKey, settled),
          resultOf(settlement),
        );
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

function paidInFull(payment: SubscriptionPayment, verified: VerifiedPayment | null): boolean {
  return (
    verified?.state === 'succeeded' &&
    verified.amountReceived === payment.amount &&
    verified.currency === payment.currency &&
    verified.metadata.subscriptionPaymentId === payment.id
  );
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

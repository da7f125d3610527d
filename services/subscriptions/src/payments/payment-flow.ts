import { Inject, Injectable } from '@nestjs/common';
import { AppError, BillingInterval, newId, PaymentChoice, PlanId, SubscriptionChangeResult } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway, VerifiedPayment } from '@org-mgmt/payments';
import { DATABASE, IdempotencyKeys, isUniqueViolation, Knex } from '@org-mgmt/runtime';
import { publicSubscription, SubscriptionRepository } from '../subscriptions/subscription.repository';
import { CreditsClient } from './credits.client';
import { planById } from '../plans/catalogue';
import { PaymentPurpose, paymentKey, PaymentRepository, SubscriptionPayment } from './payment.repository';
import { PaymentSettlement, resultOf, Settlement, withoutInstant } from './payment-settlement';

/** What a paid change asks to be charged for. */
export interface PaymentOrder {
  orgId: string;
  requestedBy: string;
  idempotencyKey: string | null;
  purpose: PaymentPurpose;
  subscriptionId: string | null;
  plan: PlanId;
  interval: BillingInterval;
  amount: number;
  choice: PaymentChoice;
  proration: SubscriptionPayment['proration'];
  at: number;
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
    private readonly payments: PaymentRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly settlement: PaymentSettlement,
    private readonly credits: CreditsClient,
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

  /**
   * Records the pending payment for an order, claiming its Idempotency-Key with it (a concurrent request that claimed
   * the key first wins); a second payment in flight for the org is a 409.
   */
  async open(trx: Knex.Transaction, order: PaymentOrder): Promise<SubscriptionPayment> {
    const payment = pendingPayment(order);
    if (
      payment.idempotencyKey &&
      (await this.idempotencyKeys.claim(trx, paymentKey(payment.orgId, payment.idempotencyKey, payment)))
    ) {
      throw new AppError('CONFLICT', 'A concurrent request changed this subscription; retry');
    }
    try {
      await this.payments.insert(trx, payment);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw new AppError(
        'CONFLICT',
        'A subscription payment for this org is already in progress; finish or retry it first',
      );
    }
    return payment;
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
    if (outcome.ok) return resultOf(await this.settlement.settle(payment.id, 'succeeded'));
    // Declined: nothing was debited. Any other failure may have debited: the payment stays pending
    // and the renewal worker retries the debit by the same reference, which billing answers once.
    if (outcome.declined) await this.settlement.settle(payment.id, 'failed');
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
      await this.settlement.settle(payment.id, 'failed');
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
    const settlement = await this.settlement.settle(paymentId, paidInFull(payment, final) ? 'succeeded' : 'failed');
    if (settlement.payment.status === 'failed')
      throw new AppError('PAYMENT_FAILED', final?.failureReason ?? 'The payment did not go through');
    return settlement;
  }

  private async currentPublic(orgId: string) {
    const sub = await this.subscriptions.current(orgId);
    return sub ? publicSubscription(sub) : null;
  }
}

function pendingPayment(order: PaymentOrder): SubscriptionPayment {
  const { choice, at, ...rest } = order;
  return {
    id: newId('subscriptionPayment'),
    ...rest,
    currency: planById(order.plan).currency,
    method: choice.method,
    gateway: choice.method === 'card' ? choice.gateway : null,
    gatewayPaymentId: null,
    status: 'pending',
    createdAt: at,
    completedAt: null,
    refundDueReason: null,
  };
}

function paidInFull(payment: SubscriptionPayment, verified: VerifiedPayment | null): boolean {
  return (
    verified?.state === 'succeeded' &&
    verified.amountReceived === payment.amount &&
    verified.currency === payment.currency &&
    verified.metadata.subscriptionPaymentId === payment.id
  );
}

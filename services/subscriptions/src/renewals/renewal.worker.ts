import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppError, renewalDebitReference, SubscriptionPaymentFailedEvent } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway } from '@org-mgmt/payments';
import { AppConfig, CLOCK, Clock, CONFIG, Knex, LOGGER, Logger, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { CreditsClient } from '../payments/credits.client';
import { PaymentFlow } from '../payments/payment-flow';
import { PaymentRepository } from '../payments/payment.repository';
import { priceOf } from '../plans/catalogue';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { periodEnd } from '../subscriptions/periods';
import { StoredSubscription, SubscriptionRepository } from '../subscriptions/subscription.repository';

export const WORKER = 'system:subscription-worker';
/** A credit payment still pending after this long was interrupted between its debit and its application. */
const STRANDED_AFTER_MS = 60_000;
/** A card payment not completed after this long is looked up at the gateway (the customer may have paid and left). */
const CARD_CHECK_AFTER_MS = 3_600_000;
/** A card payment still unconfirmed after this long is abandoned, so it no longer blocks the org's next change. */
const CARD_ABANDON_AFTER_MS = 24 * 3_600_000;

export interface PassReport {
  transitioned: number;
  recovered: number;
  reconciled: number;
  cardPaymentsSettled: number;
}

/**
 * Applies what falls due at a period end: scheduled cancellations and downgrades, renewals and their
 * charges (from the credit balance). Safe with many replicas: each subscription is claimed with
 * FOR UPDATE SKIP LOCKED for its own transaction, and every charge is a debit whose reference
 * (`renewal:<subscription>:<period end>`) billing honours once, so a crash or a second worker never
 * charges a period twice.
 */
@Injectable()
export class RenewalWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly subscriptions: SubscriptionRepository,
    private readonly recorder: ChangeRecorder,
    private readonly credits: CreditsClient,
    private readonly payments: PaymentRepository,
    private readonly flow: PaymentFlow,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.SUBSCRIPTION_WORKER_INTERVAL_MS;
    if (every > 0) this.timer = setInterval(() => void this.tick(), every);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.runOnce().catch((err) =>
      this.logger.warn({ err }, 'subscription worker pass failed; next pass retries'),
    );
    await this.running;
    this.running = undefined;
  }

  /** One pass over everything due at the clock's now. */
  async runOnce(): Promise<PassReport> {
    const report: PassReport = { transitioned: 0, recovered: 0, reconciled: 0, cardPaymentsSettled: 0 };
    const deferred: string[] = [];
    for (;;) {
      const outcome = await this.recorder.transaction((trx) => this.transitionOne(trx, deferred));
      if (outcome === 'none') break;
      if (outcome === 'done') report.transitioned++;
      else deferred.push(outcome.deferred);
    }
    report.recovered = await this.retryUnpaid();
    report.reconciled = await this.reconcileStranded();
    report.cardPaymentsSettled = await this.settleStaleCardPayments();
    return report;
  }

  /**
   * Claims one due subscription and moves it into its next period. When billing cannot be reached
   * the subscription is left as it was (deferred to the next pass: the charge's reference makes the
   * retry safe).
   */
  private async transitionOne(
    trx: Knex.Transaction,
    deferred: readonly string[],
  ): Promise<'done' | 'none' | { deferred: string }> {
    const [sub] = await this.subscriptions.claimDue(trx, this.clock.now(), 1, deferred);
    if (!sub) return 'none';
    if (sub.cancelAtPeriodEnd) {
      const after = await this.subscriptions.update(
        trx,
        sub.id,
        { status: 'cancelled', cancelledAt: sub.currentPeriodEnd, cancelAtPeriodEnd: false },
        this.clock.now(),
      );
      await this.recorder.record(trx, {
        change: 'cancelled',
        before: sub,
        after,
        changedBy: WORKER,
        at: this.clock.now(),
        reason: 'Cancelled at the period end',
      });
      return 'done';
    }
    const next = sub.scheduledChange ?? { plan: sub.plan, interval: sub.interval };
    const price = sub.scheduledChange ? priceOf(next.plan, next.interval) : sub.priceAmount;
    const charge = await this.charge(sub, price, sub.currentPeriodEnd);
    if (charge === 'retry-later') {
      this.logger.warn({ subscriptionId: sub.id }, 'billing could not be reached for a renewal; next pass retries');
      return { deferred: sub.id };
    }
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
        changedBy: WORKER,
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

  private async retryUnpaid(): Promise<number> {
    let recovered = 0;
    for (const id of await this.subscriptions.unpaidIds()) if (await this.retryUnpaidOne(id)) recovered++;
    return recovered;
  }

  /** Retries the org's unpaid renewal at once (its credit balance grew); nothing unpaid is a no-op. */
  async retryUnpaidOf(orgId: string): Promise<boolean> {
    const sub = await this.subscriptions.current(orgId);
    return sub?.status === 'past_due' ? this.retryUnpaidOne(sub.id) : false;
  }

  /**
   * A past-due subscription: charges the unpaid period again (same reference) and renews once it is
   * paid; one cancelled meanwhile (at the period end) ends without being charged. True when renewed.
   */
  private async retryUnpaidOne(id: string): Promise<boolean> {
    return this.recorder.transaction(async (trx) => {
      const sub = await this.subscriptions.lockById(trx, id);
      if (!sub || sub.status !== 'past_due' || sub.unpaidPeriodEnd === null) return false;
      const now = this.clock.now();
      if (sub.cancelAtPeriodEnd) {
        const after = await this.subscriptions.update(
          trx,
          sub.id,
          { status: 'cancelled', cancelledAt: sub.unpaidPeriodEnd, cancelAtPeriodEnd: false, unpaidPeriodEnd: null },
          now,
        );
        await this.recorder.record(trx, {
          change: 'cancelled',
          before: sub,
          after,
          changedBy: WORKER,
          at: now,
          reason: 'Cancelled while the renewal was unpaid',
        });
        return false;
      }
      if ((await this.charge(sub, sub.priceAmount, sub.unpaidPeriodEnd)) !== 'paid') return false;
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
        changedBy: WORKER,
        at: now,
        amountCharged: sub.priceAmount,
        reason: 'Unpaid renewal recovered',
      });
      return true;
    });
  }

  /** Credit payments interrupted after their debit: the debit is repeated by reference and the change applied once. */
  private async reconcileStranded(): Promise<number> {
    let reconciled = 0;
    for (const payment of await this.payments.strandedCreditPayments(this.clock.now() - STRANDED_AFTER_MS, 50)) {
      try {
        await this.flow.collect(payment);
        reconciled++;
      } catch (err) {
        this.logger.warn({ err, paymentId: payment.id }, 'stranded subscription payment not settled yet');
      }
    }
    return reconciled;
  }

  /** Card payments nobody completed: settled from what the gateway says, or abandoned after a day. */
  private async settleStaleCardPayments(): Promise<number> {
    let settled = 0;
    const now = this.clock.now();
    for (const payment of await this.payments.staleCardPayments(now - CARD_CHECK_AFTER_MS, 50)) {
      try {
        const verified = payment.gatewayPaymentId ? await this.gateway.retrievePayment(payment.gatewayPaymentId) : null;
        const finished = verified?.state === 'succeeded' || verified?.state === 'failed';
        if (!finished && payment.createdAt > now - CARD_ABANDON_AFTER_MS) continue;
        await this.flow.finishVerified(payment.id, verified).catch((err) => {
          if (!(err instanceof AppError && err.code === 'PAYMENT_FAILED')) throw err;
        });
        settled++;
      } catch (err) {
        this.logger.warn({ err, paymentId: payment.id }, 'could not settle a stale card payment; next pass retries');
      }
    }
    return settled;
  }

  private async charge(
    sub: StoredSubscription,
    amount: number,
    periodEndAt: number,
  ): Promise<'paid' | 'retry-later' | { reason: string }> {
    if (amount === 0) return 'paid';
    const outcome = await this.credits.debit({
      orgId: sub.orgId,
      reference: renewalDebitReference(sub.id, periodEndAt),
      amount,
      currency: sub.currency,
      reason: `Subscription renewal: ${sub.plan} (${sub.interval}) from ${new Date(periodEndAt).toISOString()}`,
    });
    if (outcome.ok) return 'paid';
    return outcome.declined ? { reason: outcome.error.message } : 'retry-later';
  }
}

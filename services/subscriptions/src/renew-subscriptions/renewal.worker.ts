import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppError } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway } from '@org-mgmt/payments';
import { AppConfig, CLOCK, Clock, CONFIG, Knex, LOGGER, Logger } from '@org-mgmt/runtime';
import { PaymentFlow } from '../payments/payment-flow';
import { PaymentRepository } from '../payments/payment.repository';
import { ChangeRecorder } from '../subscriptions/change-recorder';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { SubscriptionTransitions } from '../subscriptions/transitions';

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
 * The scheduler of what falls due: finds subscriptions whose period has ended and past-due ones, and
 * hands each to `SubscriptionTransitions` (which decides and writes the change), then settles payments
 * left pending. Safe with many replicas: each subscription is claimed with FOR UPDATE SKIP LOCKED for
 * its own transaction, and every renewal charge is a debit whose reference billing honours once.
 */
@Injectable()
export class RenewalWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly subscriptions: SubscriptionRepository,
    private readonly recorder: ChangeRecorder,
    private readonly transitions: SubscriptionTransitions,
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

  /** Claims one due subscription and hands it to its transition; one billing could not charge is deferred to the next pass. */
  private async transitionOne(
    trx: Knex.Transaction,
    deferred: readonly string[],
  ): Promise<'done' | 'none' | { deferred: string }> {
    const [sub] = await this.subscriptions.claimDue(trx, this.clock.now(), 1, deferred);
    if (!sub) return 'none';
    if ((await this.transitions.renewDue(trx, sub)) === 'done') return 'done';
    this.logger.warn({ subscriptionId: sub.id }, 'billing could not be reached for a renewal; next pass retries');
    return { deferred: sub.id };
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

  /** True when the unpaid renewal was paid. */
  private async retryUnpaidOne(id: string): Promise<boolean> {
    return this.recorder.transaction(async (trx) => {
      const sub = await this.subscriptions.lockById(trx, id);
      return sub ? this.transitions.recoverUnpaid(trx, sub) : false;
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
}

import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  BillingEndpoints,
  BuyCreditsBody,
  BuyCreditsResult,
  CompletePaymentBody,
  isOperator,
  newId,
  Principal,
  Transaction,
} from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway, VerifiedPayment } from '@org-mgmt/payments';
import { AppConfig, CLOCK, Clock, CONFIG, DATABASE, Knex, recordPaymentOutcome } from '@org-mgmt/runtime';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { LedgerService } from '../ledger/ledger.service';
import { TransactionRepository } from '../ledger/transaction.repository';

type Verdict = { status: 'pending' } | { status: 'succeeded' } | { status: 'failed'; reason: string };

/**
 * Credit purchases: buy-credits opens a pending purchase and a payment at the gateway;
 * complete-payment and the webhook both finalise it by asking the gateway, and exactly one of them
 * moves it out of pending (crediting exactly what the gateway says it received, or nothing).
 */
@Injectable()
export class PurchaseService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly idempotency: IdempotencyService,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
  ) {}

  buy(orgId: string, body: BuyCreditsBody, principal: Principal, idempotencyKey?: string): Promise<BuyCreditsResult> {
    this.requireConfiguredGateway(body.gateway);
    return this.idempotency.run(
      { scope: BillingEndpoints.buyCredits.pattern, account: principal.orgId, key: idempotencyKey, parameters: { orgId, body } },
      async (trx) => {
        const transactionId = newId('transaction');
        await this.transactions.insert(trx, {
          id: transactionId,
          orgId,
          type: 'purchase',
          status: 'pending',
          amount: body.amount,
          currency: body.currency,
          gateway: this.gateway.name,
          reason: 'Credit purchase',
          createdBy: principal.sub,
          createdAt: this.clock.now(),
        });
        const payment = await this.gateway.createPayment({
          amount: body.amount,
          currency: body.currency,
          orgId,
          purpose: 'credits',
          metadata: { transactionId },
          paymentMethodId: body.paymentMethodId,
          description: `Credits for ${orgId}`,
          idempotencyKey: transactionId,
        });
        await this.transactions.setPaymentIntent(trx, transactionId, payment.paymentId);
        return {
          transactionId,
          paymentIntentId: payment.paymentId,
          paymentIntentClientSecret: payment.clientSecret,
          amount: body.amount,
          currency: body.currency,
          status: 'pending' as const,
        };
      },
    );
  }

  /** complete-payment: the caller names the purchase and its payment; the gateway says what happened. */
  async complete(body: CompletePaymentBody, requestedOrgId: string | null, principal: Principal | null): Promise<Transaction> {
    this.requireConfiguredGateway(body.gateway);
    const txn = await this.transactions.find(body.transactionId);
    const orgMismatch = txn && requestedOrgId && requestedOrgId !== txn.orgId && !isOperator(principal, this.config.ROOT_ORG_ID);
    if (!txn || txn.type !== 'purchase' || txn.paymentIntentId !== body.paymentIntentId || orgMismatch) {
      throw new AppError('NOT_FOUND', 'No credit purchase has this transaction id and payment intent');
    }
    return outcomeOf(await this.finalise(txn));
  }

  /** Settles a purchase from the gateway's word; safe to call any number of times, concurrently. */
  async finalise(txn: Transaction): Promise<Transaction> {
    if (txn.status !== 'pending') return txn;
    const verdict = verdictOn(txn, await this.gateway.retrievePayment(txn.paymentIntentId!));
    if (verdict.status === 'pending') return txn;
    const settled = await this.db.transaction(async (trx) => {
      const settled = await this.transactions.settlePending(trx, txn.id, {
        status: verdict.status,
        failureReason: verdict.status === 'failed' ? verdict.reason : null,
        completedAt: this.clock.now(),
      });
      if (settled?.status === 'succeeded') await this.ledger.post(trx, settled, null);
      return settled;
    });
    recordPaymentOutcome(this.gateway.name, 'credits', settled ? verdict.status : 'duplicate');
    return (await this.transactions.find(txn.id))!;
  }

  /** The payment webhook: finalises the purchase its metadata names, if any. */
  async finaliseByPayment(paymentId: string, transactionId: string | undefined): Promise<boolean> {
    const txn = transactionId ? await this.transactions.find(transactionId) : null;
    if (!txn || txn.type !== 'purchase' || txn.paymentIntentId !== paymentId) return false;
    await this.finalise(txn);
    return true;
  }

  private requireConfiguredGateway(requested: string | undefined): void {
    if (requested && requested !== this.gateway.name) {
      throw new AppError('VALIDATION_FAILED', `Payments go through the ${this.gateway.name} gateway here`, {
        fields: [{ path: 'body.gateway', message: `must be ${this.gateway.name}` }],
      });
    }
  }
}

/** Credits only a payment that succeeded for this very purchase: same org, currency and amount. */
function verdictOn(txn: Transaction, payment: VerifiedPayment | null): Verdict {
  if (!payment) return { status: 'failed', reason: 'unknown_payment' };
  if (payment.metadata.transactionId !== txn.id) return { status: 'failed', reason: 'transaction_mismatch' };
  if (payment.metadata.orgId !== txn.orgId) return { status: 'failed', reason: 'org_mismatch' };
  if (payment.state === 'failed') return { status: 'failed', reason: payment.failureReason ?? 'declined' };
  if (payment.state === 'pending') return { status: 'pending' };
  if (payment.currency !== txn.currency) return { status: 'failed', reason: 'currency_mismatch' };
  if (payment.amountReceived !== txn.amount) return { status: 'failed', reason: 'amount_mismatch' };
  return { status: 'succeeded' };
}

/** What complete-payment answers: the credited purchase, or why nothing was credited. */
function outcomeOf(txn: Transaction): Transaction {
  if (txn.status === 'succeeded') return txn;
  if (txn.status === 'pending') {
    throw new AppError('CONFLICT', 'The payment has not been confirmed yet; complete it after confirming with the gateway', { transaction: txn });
  }
  throw new AppError('PAYMENT_FAILED', `The payment did not succeed (${txn.failureReason}); no credits were added`, { transaction: txn });
}

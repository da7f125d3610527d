import { Inject, Injectable } from '@nestjs/common';
import { AppError, CompletePaymentBody, isOperator, Principal, Transaction } from '@org-mgmt/contracts';
import {
  judgePayment,
  PAYMENT_GATEWAY,
  PaymentGateway,
  PaymentVerdict,
  requireConfiguredGateway,
} from '@org-mgmt/payments';
import { AppConfig, CLOCK, Clock, CONFIG, DATABASE, Knex, recordPaymentOutcome } from '@org-mgmt/runtime';
import { isLedgerClosed, LEDGER_CLOSED_REFUND_DUE, LedgerService } from '../ledger/ledger.service';
import { TransactionRepository } from '../ledger/transaction.repository';

/**
 * Settles credit purchases (opened by buy-credits): complete-payment and the webhook both ask the
 * gateway, and exactly one of them moves the purchase out of pending, crediting exactly what the
 * gateway says it received, or nothing.
 */
@Injectable()
export class CompletePaymentService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
  ) {}

  /** The caller names the purchase and its payment; the gateway says what happened. */
  async completePayment(
    body: CompletePaymentBody,
    requestedOrgId: string | null,
    principal: Principal | null,
  ): Promise<Transaction> {
    requireConfiguredGateway(this.gateway, body.gateway);
    const txn = await this.transactions.find(body.transactionId);
    const orgMismatch =
      txn && requestedOrgId && requestedOrgId !== txn.orgId && !isOperator(principal, this.config.ROOT_ORG_ID);
    if (!txn || txn.type !== 'purchase' || txn.paymentIntentId !== body.paymentIntentId || orgMismatch) {
      throw new AppError('NOT_FOUND', 'No credit purchase has this transaction id and payment intent');
    }
    return outcomeOf(await this.finalise(txn));
  }

  /** The payment webhook: finalises the purchase its metadata names, if any. */
  async finaliseByPayment(paymentId: string, transactionId: string | undefined): Promise<boolean> {
    const txn = transactionId ? await this.transactions.find(transactionId) : null;
    if (!txn || txn.type !== 'purchase' || txn.paymentIntentId !== paymentId) return false;
    await this.finalise(txn);
    return true;
  }

  /** Settles a purchase from the gateway's word; safe to call any number of times, concurrently. */
  private async finalise(txn: Transaction): Promise<Transaction> {
    if (txn.status !== 'pending') return txn;
    const record = {
      orgId: txn.orgId,
      amount: txn.amount,
      currency: txn.currency,
      link: ['transactionId', txn.id] as const,
    };
    const verdict = await judgePayment(this.gateway, record, txn.paymentIntentId!);
    if (verdict.status === 'pending') return txn;
    const settled = await this.settle(txn, verdict).catch((err) => {
      if (!isLedgerClosed(err)) throw err;
      // Paid at the gateway after the org was deleted: not credited, kept as a failed purchase marked for refund.
      return this.settle(txn, { status: 'failed', reason: LEDGER_CLOSED_REFUND_DUE });
    });
    recordPaymentOutcome(this.gateway.name, 'credits', settled ? verdict.status : 'duplicate');
    return (await this.transactions.find(txn.id))!;
  }

  /** pending → the verdict, crediting a success; null when another settlement got there first. */
  private settle(
    txn: Transaction,
    verdict: Exclude<PaymentVerdict, { status: 'pending' }>,
  ): Promise<Transaction | null> {
    return this.db.transaction(async (trx) => {
      const settled = await this.transactions.settlePending(trx, txn.id, {
        status: verdict.status,
        failureReason: verdict.status === 'failed' ? verdict.reason : null,
        completedAt: this.clock.now(),
      });
      if (settled?.status === 'succeeded') await this.ledger.post(trx, settled, null);
      return settled ?? null;
    });
  }
}

/** What complete-payment answers: the credited purchase, or why nothing was credited. */
function outcomeOf(txn: Transaction): Transaction {
  if (txn.status === 'succeeded') return txn;
  if (txn.failureReason === LEDGER_CLOSED_REFUND_DUE) {
    throw new AppError(
      'LEDGER_CLOSED',
      "The payment arrived after the organisation's ledger was closed: nothing was credited and it is recorded for refund",
      {
        transaction: txn,
      },
    );
  }
  if (txn.status === 'pending') {
    throw new AppError(
      'CONFLICT',
      'The payment has not been confirmed yet; complete it after confirming with the gateway',
      { transaction: txn },
    );
  }
  throw new AppError('PAYMENT_FAILED', `The payment did not succeed (${txn.failureReason}); no credits were added`, {
    transaction: txn,
  });
}

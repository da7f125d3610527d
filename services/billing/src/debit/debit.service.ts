import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  BillingDebitDeclinedEvent,
  CREDIT_CURRENCY,
  DebitBody,
  DebitResult,
  newId,
  Principal,
  Transaction,
} from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, isUniqueViolation, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { LedgerRepository } from '../ledger/ledger.repository';
import { LedgerService } from '../ledger/ledger.service';
import { TransactionRepository } from '../ledger/transaction.repository';

/** `billing.credits.debit`: platform services pay from an org's credits, once per reference. */
@Injectable()
export class DebitService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly balances: LedgerRepository,
    private readonly transactions: TransactionRepository,
  ) {}

  async debit(body: DebitBody, principal: Principal): Promise<DebitResult> {
    if (body.currency !== CREDIT_CURRENCY) {
      throw new AppError('VALIDATION_FAILED', `Credits are held in ${CREDIT_CURRENCY}`, {
        fields: [{ path: 'body.currency', message: `must be ${CREDIT_CURRENCY}` }],
      });
    }
    const earlier = await this.transactions.findDebit(body.orgId, body.reference);
    if (earlier) return resultOf(earlier, body);
    try {
      return await this.db.transaction(async (trx) => {
        const now = this.clock.now();
        const id = newId('transaction');
        const { balance } = await this.ledger.record(
          trx,
          {
            id,
            orgId: body.orgId,
            type: 'debit',
            status: 'succeeded',
            amount: body.amount,
            currency: body.currency,
            reference: body.reference,
            reason: body.reason,
            createdBy: principal.sub,
            createdAt: now,
            completedAt: now,
          },
          principal.sub,
        );
        return { transactionId: id, reference: body.reference, amount: body.amount, currency: body.currency, balance };
      });
    } catch (err) {
      // A concurrent debit with the same reference committed first: answer its result.
      if (isUniqueViolation(err))
        return resultOf((await this.transactions.findDebit(body.orgId, body.reference))!, body);
      if (err instanceof AppError && err.code === 'INSUFFICIENT_BALANCE') await this.declined(body);
      throw err;
    }
  }

  private async declined(body: DebitBody): Promise<void> {
    const { balance } = await this.balances.balance(body.orgId);
    await this.db.transaction((trx) =>
      this.outbox.add(trx, BillingDebitDeclinedEvent, body.orgId, {
        orgId: body.orgId,
        reference: body.reference,
        amount: body.amount,
        currency: body.currency,
        balance,
        declinedAt: this.clock.now(),
      }),
    );
  }
}

/** A retry answers the first result; the same reference for a different debit is refused. */
function resultOf(earlier: Transaction, body: DebitBody): DebitResult {
  if (earlier.amount !== body.amount || earlier.currency !== body.currency) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', `Reference ${body.reference} was already used for a different debit`);
  }
  return {
    transactionId: earlier.id,
    reference: earlier.reference!,
    amount: earlier.amount,
    currency: earlier.currency,
    balance: earlier.balanceAfter!,
  };
}

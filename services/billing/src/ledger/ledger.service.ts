import { Inject, Injectable } from '@nestjs/common';
import { AppError, Balance, BillingBalanceChangedEvent, newId, Transaction } from '@org-mgmt/contracts';
import { CLOCK, Clock, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { LedgerRepository } from './ledger.repository';
import { TransactionPageRequest, TransactionRepository } from './transaction.repository';

/**
 * The only way a balance changes: one immutable ledger entry per transaction, the balance row
 * updated in the same database transaction (never below zero), billing.balance_changed in the outbox.
 */
@Injectable()
export class LedgerService {
  constructor(
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ledger: LedgerRepository,
    private readonly transactions: TransactionRepository,
  ) {}

  balance(orgId: string): Promise<Balance> {
    return this.ledger.balance(orgId);
  }

  transactionPage(orgId: string, request: TransactionPageRequest) {
    return this.transactions.page(orgId, request);
  }

  /**
   * Applies a transaction to its org's balance: debits take `amount` off (INSUFFICIENT_BALANCE when
   * the balance does not cover it), every other type adds it. Returns the new balance.
   */
  async post(trx: Knex.Transaction, txn: Transaction, changedBy: string | null): Promise<number> {
    const now = this.clock.now();
    const delta = txn.type === 'debit' ? -txn.amount : txn.amount;
    const balance =
      delta > 0 ? await this.ledger.credit(trx, txn.orgId, delta, txn.currency, now) : await this.ledger.debitIfCovered(trx, txn.orgId, -delta, now);
    if (balance === null) throw new AppError('INSUFFICIENT_BALANCE', 'The credit balance does not cover this debit');
    await this.ledger.insertEntry(trx, {
      id: newId('ledgerEntry'),
      orgId: txn.orgId,
      transactionId: txn.id,
      delta,
      currency: txn.currency,
      balanceAfter: balance,
      createdBy: changedBy,
      createdAt: now,
    });
    await this.transactions.setBalanceAfter(trx, txn.id, balance);
    await this.outbox.add(trx, BillingBalanceChangedEvent, txn.orgId, {
      orgId: txn.orgId,
      transactionId: txn.id,
      transactionType: txn.type,
      delta,
      balance,
      currency: txn.currency,
      changedAt: now,
      changedBy,
    });
    return balance;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  Balance,
  BillingBalanceChangedEvent,
  CreditResult,
  newId,
  Principal,
  Transaction,
} from '@org-mgmt/contracts';
import { CLOCK, Clock, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { LedgerRepository } from './ledger.repository';
import { OrgsClient } from '../clients/orgs.client';
import { NewTransaction, TransactionPageRequest, TransactionRepository } from './transaction.repository';

export interface OperatorCredit {
  orgId: string;
  amount: number;
  currency: string;
  reason: string;
  type: 'gift' | 'adjustment' | 'refund';
  relatedTransactionId?: string;
}

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
    private readonly orgs: OrgsClient,
  ) {}

  /** LEDGER_CLOSED for a deleted org: checked before anything is started at the payment gateway. */
  async requireOpen(orgId: string): Promise<void> {
    const { closedAt } = await this.ledger.balance(orgId);
    if (closedAt !== null) throw ledgerClosed(orgId, closedAt);
  }

  /** Holds the org's open ledger until commit (LEDGER_CLOSED if it is closed), for effects that are not balance changes. */
  async lockOpen(trx: Knex.Transaction, orgId: string): Promise<void> {
    if (!(await this.ledger.lockOpen(trx, orgId, this.clock.now())))
      throw ledgerClosed(orgId, (await this.ledger.balance(orgId, trx)).closedAt);
  }

  /** NOT_FOUND for an org that does not exist. */
  async transactionPage(orgId: string, request: TransactionPageRequest, requestId: string) {
    await this.balance(orgId, requestId);
    return this.transactions.page(orgId, request);
  }

  /**
   * NOT_FOUND for an org that does not exist. Every org that ever had money, or was deleted, has a
   * balance row; orgs is asked whether the org exists only when there is none, so the hot path (a
   * known org's balance) makes no extra RPC.
   */
  async balance(orgId: string, requestId: string): Promise<Balance> {
    const balance = await this.ledger.balance(orgId);
    if (balance.updatedAt === null) await this.orgs.requireExists(orgId, requestId);
    return balance;
  }

  /** Records a completed transaction and applies it to the balance (see post), in the caller's transaction. */
  async record(trx: Knex.Transaction, txn: NewTransaction, changedBy: string | null): Promise<CreditResult> {
    await this.transactions.insert(trx, txn);
    const stored = (await this.transactions.find(txn.id, trx))!;
    const balance = await this.post(trx, stored, changedBy);
    return { transaction: { ...stored, balanceAfter: balance }, balance };
  }

  /** An operator's credit (a gift, an adjustment, a refund), recorded with who and why. */
  grant(trx: Knex.Transaction, grant: OperatorCredit, principal: Principal): Promise<CreditResult> {
    const now = this.clock.now();
    const txn: NewTransaction = {
      id: newId('transaction'),
      orgId: grant.orgId,
      type: grant.type,
      status: 'succeeded',
      amount: grant.amount,
      currency: grant.currency,
      reason: grant.reason,
      relatedTransactionId: grant.relatedTransactionId ?? null,
      createdBy: principal.sub,
      createdAt: now,
      completedAt: now,
    };
    return this.record(trx, txn, principal.sub);
  }

  /**
   * Applies a transaction to its org's balance: debits take `amount` off (INSUFFICIENT_BALANCE when
   * the balance does not cover it), every other type adds it. Returns the new balance. A closed
   * ledger (a deleted org) takes nothing: LEDGER_CLOSED.
   */
  async post(trx: Knex.Transaction, txn: Transaction, changedBy: string | null): Promise<number> {
    const now = this.clock.now();
    const delta = txn.type === 'debit' ? -txn.amount : txn.amount;
    const balance =
      delta > 0
        ? await this.ledger.credit(trx, txn.orgId, delta, txn.currency, now)
        : await this.ledger.debitIfCovered(trx, txn.orgId, -delta, now);
    if (balance === null) {
      const { closedAt } = await this.ledger.balance(txn.orgId, trx);
      if (closedAt !== null) throw ledgerClosed(txn.orgId, closedAt);
      throw new AppError('INSUFFICIENT_BALANCE', 'The credit balance does not cover this debit');
    }
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

/** The failure reason of a payment taken after its org's ledger closed: the money is owed back to the payer. */
export const LEDGER_CLOSED_REFUND_DUE = 'ledger_closed_refund_due';

export function ledgerClosed(orgId: string, closedAt: number | null): AppError {
  return new AppError(
    'LEDGER_CLOSED',
    `The ledger of ${orgId} was closed when the organisation was deleted: no money moves in or out`,
    { orgId, closedAt },
  );
}

export function isLedgerClosed(err: unknown): boolean {
  return err instanceof AppError && err.code === 'LEDGER_CLOSED';
}

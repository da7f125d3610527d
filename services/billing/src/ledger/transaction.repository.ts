import { Inject, Injectable } from '@nestjs/common';
import { Transaction, TransactionType } from '@org-mgmt/contracts';
import { DATABASE, Knex, pageBySeqDesc } from '@org-mgmt/runtime';

interface TransactionRow {
  seq: number;
  id: string;
  org_id: string;
  type: Transaction['type'];
  status: Transaction['status'];
  amount: number;
  currency: string;
  balance_after: number | null;
  gateway: Transaction['gateway'];
  payment_intent_id: string | null;
  reference: string | null;
  reason: string | null;
  related_transaction_id: string | null;
  created_by: string | null;
  failure_reason: string | null;
  created_at: number;
  completed_at: number | null;
}

export type NewTransaction = Pick<
  Transaction,
  'id' | 'orgId' | 'type' | 'status' | 'amount' | 'currency' | 'createdAt'
> &
  Partial<
    Pick<
      Transaction,
      'gateway' | 'paymentIntentId' | 'reference' | 'reason' | 'relatedTransactionId' | 'createdBy' | 'completedAt'
    >
  >;

export interface TransactionPageRequest {
  limit: number;
  cursor?: string;
  type?: TransactionType;
  from?: number;
  to?: number;
}

type Db = Knex | Knex.Transaction;

@Injectable()
export class TransactionRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async insert(trx: Knex.Transaction, txn: NewTransaction): Promise<void> {
    await trx('transactions').insert({
      id: txn.id,
      org_id: txn.orgId,
      type: txn.type,
      status: txn.status,
      amount: txn.amount,
      currency: txn.currency,
      gateway: txn.gateway ?? null,
      payment_intent_id: txn.paymentIntentId ?? null,
      reference: txn.reference ?? null,
      reason: txn.reason ?? null,
      related_transaction_id: txn.relatedTransactionId ?? null,
      created_by: txn.createdBy ?? null,
      created_at: txn.createdAt,
      completed_at: txn.completedAt ?? null,
    });
  }

  async find(id: string, db: Db = this.db): Promise<Transaction | null> {
    const row: TransactionRow | undefined = await db('transactions').where({ id }).first();
    return row ? toTransaction(row) : null;
  }

  async findDebit(orgId: string, reference: string, db: Db = this.db): Promise<Transaction | null> {
    const row: TransactionRow | undefined = await db('transactions')
      .where({ org_id: orgId, reference, type: 'debit' })
      .first();
    return row ? toTransaction(row) : null;
  }

  async setPaymentIntent(trx: Knex.Transaction, id: string, paymentIntentId: string): Promise<void> {
    await trx('transactions').where({ id }).update({ payment_intent_id: paymentIntentId });
  }

  /**
   * Moves a pending transaction to its final status. Only one caller can: the row lock makes a racing
   * finaliser wait, then find the status no longer pending and update nothing (null).
   */
  async settlePending(
    trx: Knex.Transaction,
    id: string,
    outcome: { status: 'succeeded' | 'failed'; failureReason: string | null; completedAt: number },
  ): Promise<Transaction | null> {
    const [row]: TransactionRow[] = await trx('transactions')
      .where({ id, status: 'pending' })
      .update({ status: outcome.status, failure_reason: outcome.failureReason, completed_at: outcome.completedAt })
      .returning('*');
    return row ? toTransaction(row) : null;
  }

  async setBalanceAfter(trx: Knex.Transaction, id: string, balanceAfter: number): Promise<void> {
    await trx('transactions').where({ id }).update({ balance_after: balanceAfter });
  }

  /** Newest first; stable under concurrent inserts (keyset on the insertion sequence). */
  page(orgId: string, request: TransactionPageRequest): Promise<{ items: Transaction[]; nextCursor: string | null }> {
    const query = this.db('transactions').where({ org_id: orgId });
    if (request.type) query.where({ type: request.type });
    if (request.from !== undefined) query.where('created_at', '>=', request.from);
    if (request.to !== undefined) query.where('created_at', '<', request.to);
    return pageBySeqDesc(query, request, toTransaction);
  }
}

function toTransaction(row: TransactionRow): Transaction {
  return {
    id: row.id,
    orgId: row.org_id,
    type: row.type,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    balanceAfter: row.balance_after,
    gateway: row.gateway,
    paymentIntentId: row.payment_intent_id,
    reference: row.reference,
    reason: row.reason,
    relatedTransactionId: row.related_transaction_id,
    createdBy: row.created_by,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

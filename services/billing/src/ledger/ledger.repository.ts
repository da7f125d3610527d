import { Inject, Injectable } from '@nestjs/common';
import { Balance, CREDIT_CURRENCY } from '@org-mgmt/contracts';
import { DATABASE, Knex } from '@org-mgmt/runtime';

export interface LedgerEntry {
  id: string;
  orgId: string;
  transactionId: string;
  delta: number;
  currency: string;
  balanceAfter: number;
  createdBy: string | null;
  createdAt: number;
}

@Injectable()
export class LedgerRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async balance(orgId: string): Promise<Balance> {
    const row: { balance: number; currency: string; updated_at: number } | undefined = await this.db('balances').where({ org_id: orgId }).first();
    return { orgId, balance: row?.balance ?? 0, currency: row?.currency ?? CREDIT_CURRENCY, updatedAt: row?.updated_at ?? null };
  }

  /** Adds to the org's balance row (creating it), returning the new balance; the row stays locked until commit. */
  async credit(trx: Knex.Transaction, orgId: string, amount: number, currency: string, now: number): Promise<number> {
    const { rows } = await trx.raw<{ rows: { balance: number }[] }>(
      `INSERT INTO balances (org_id, currency, balance, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (org_id) DO UPDATE SET balance = balances.balance + excluded.balance, updated_at = excluded.updated_at
       RETURNING balance`,
      [orgId, currency, amount, now],
    );
    return rows[0].balance;
  }

  /** Takes `amount` off the balance only if it covers it (a conditional update of the row itself); null when it does not. */
  async debitIfCovered(trx: Knex.Transaction, orgId: string, amount: number, now: number): Promise<number | null> {
    const [row]: { balance: number }[] = await trx('balances')
      .where({ org_id: orgId })
      .andWhere('balance', '>=', amount)
      .update({ balance: trx.raw('balance - ?', [amount]), updated_at: now })
      .returning('balance');
    return row ? row.balance : null;
  }

  async insertEntry(trx: Knex.Transaction, entry: LedgerEntry): Promise<void> {
    await trx('ledger_entries').insert({
      id: entry.id,
      org_id: entry.orgId,
      transaction_id: entry.transactionId,
      delta: entry.delta,
      currency: entry.currency,
      balance_after: entry.balanceAfter,
      created_by: entry.createdBy,
      created_at: entry.createdAt,
    });
  }
}

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

  async balance(orgId: string, db: Knex = this.db): Promise<Balance> {
    const row: { balance: number; currency: string; updated_at: number; closed_at: number | null } | undefined =
      await db('balances').where({ org_id: orgId }).first();
    return {
      orgId,
      balance: row?.balance ?? 0,
      currency: row?.currency ?? CREDIT_CURRENCY,
      updatedAt: row?.updated_at ?? null,
      closedAt: row?.closed_at ?? null,
    };
  }

  /**
   * Adds to the org's open balance row (creating it), returning the new balance; the row stays locked
   * until commit. Null when the ledger is closed.
   */
  async credit(
    trx: Knex.Transaction,
    orgId: string,
    amount: number,
    currency: string,
    now: number,
  ): Promise<number | null> {
    const { rows } = await trx.raw<{ rows: { balance: number }[] }>(
      `INSERT INTO balances (org_id, currency, balance, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (org_id) DO UPDATE SET balance = balances.balance + excluded.balance, updated_at = excluded.updated_at
       WHERE balances.closed_at IS NULL
       RETURNING balance`,
      [orgId, currency, amount, now],
    );
    return rows[0]?.balance ?? null;
  }

  /**
   * Locks the org's balance row (creating an empty one) while its ledger is open, so a closure waits
   * for the caller's commit; false when the ledger is closed.
   */
  async lockOpen(trx: Knex.Transaction, orgId: string, now: number): Promise<boolean> {
    const { rows } = await trx.raw<{ rows: unknown[] }>(
      `INSERT INTO balances (org_id, currency, balance, updated_at) VALUES (?, ?, 0, ?)
       ON CONFLICT (org_id) DO UPDATE SET org_id = balances.org_id WHERE balances.closed_at IS NULL
       RETURNING org_id`,
      [orgId, CREDIT_CURRENCY, now],
    );
    return rows.length > 0;
  }

  /** Closes the org's ledger (creating its balance row if it never had one); closing it again keeps the first closure. */
  async close(
    trx: Knex.Transaction,
    closure: { orgId: string; closedBy: string; reason: string; at: number },
  ): Promise<void> {
    await trx.raw(
      `INSERT INTO balances (org_id, currency, balance, updated_at, closed_at, closed_by, closed_reason) VALUES (?, ?, 0, ?, ?, ?, ?)
       ON CONFLICT (org_id) DO UPDATE SET closed_at = excluded.closed_at, closed_by = excluded.closed_by, closed_reason = excluded.closed_reason
       WHERE balances.closed_at IS NULL`,
      [closure.orgId, CREDIT_CURRENCY, closure.at, closure.at, closure.closedBy, closure.reason],
    );
  }

  /** Takes `amount` off the open balance only if it covers it (a conditional update of the row itself); null when it does not. */
  async debitIfCovered(trx: Knex.Transaction, orgId: string, amount: number, now: number): Promise<number | null> {
    const [row]: { balance: number }[] = await trx('balances')
      .where({ org_id: orgId })
      .whereNull('closed_at')
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

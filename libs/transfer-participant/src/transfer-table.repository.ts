import { Knex } from '@org-mgmt/runtime';
import { ResolvedTable, Row } from './transfer-table';

/** The queries on a participant's own datatype tables, each in the batch's transaction. */
export class TransferTableRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async count(table: ResolvedTable, orgId: string): Promise<number> {
    const [{ count }] = await this.db(table.table).where(table.orgColumn, orgId).count({ count: '*' });
    return Number(count);
  }

  /** The org's next `limit` rows after `cursor` in the table's order. */
  nextRows(
    trx: Knex.Transaction,
    table: ResolvedTable,
    page: { orgId: string; cursor: string | null; limit: number },
  ): Promise<Row[]> {
    const query = trx(table.table).where(table.orgColumn, page.orgId).orderBy(table.orderColumn).limit(page.limit);
    if (page.cursor !== null) query.where(table.orderColumn, '>', page.cursor);
    return query;
  }

  /** Inserts the rows an id does not hold yet; answers the ids inserted. */
  async insertNew(trx: Knex.Transaction, table: ResolvedTable, rows: Row[]): Promise<string[]> {
    if (!rows.length) return [];
    const inserted: Row[] = await trx(table.table)
      .insert(rows.map(jsonColumnsAsText))
      .onConflict(table.idColumn)
      .ignore()
      .returning(table.idColumn);
    return inserted.map((r) => String(r[table.idColumn]));
  }

  /** The org's oldest `limit` rows (id, order and `columns`), locked until the transaction ends. */
  lockOldest(
    trx: Knex.Transaction,
    table: ResolvedTable,
    page: { orgId: string; columns: string[]; limit: number },
  ): Promise<Row[]> {
    return trx(table.table)
      .select(table.idColumn, table.orderColumn, ...page.columns)
      .where(table.orgColumn, page.orgId)
      .orderBy(table.orderColumn)
      .limit(page.limit)
      .forUpdate();
  }

  async hasRows(trx: Knex.Transaction, table: ResolvedTable, orgId: string): Promise<boolean> {
    return !!(await trx(table.table).where(table.orgColumn, orgId).first(table.idColumn));
  }

  /** Moves the rows with these ids from one org to another, setting `values` too; answers how many moved. */
  reassign(
    trx: Knex.Transaction,
    table: ResolvedTable,
    change: { ids: string[]; fromOrgId: string; toOrgId: string; values?: Row },
  ): Promise<number> {
    if (!change.ids.length) return Promise.resolve(0);
    return trx(table.table)
      .whereRaw('?? = ANY(?)', [table.idColumn, change.ids])
      .andWhere(table.orgColumn, change.fromOrgId)
      .update({ ...jsonColumnsAsText(change.values ?? {}), [table.orgColumn]: change.toOrgId });
  }

  /** Moves one row back from one org to another with the values it had; answers 1, or 0 when it is gone. */
  restore(
    trx: Knex.Transaction,
    table: ResolvedTable,
    change: { previous: Row; fromOrgId: string; toOrgId: string },
  ): Promise<number> {
    const { [table.idColumn]: id, ...values } = change.previous;
    return trx(table.table)
      .where({ [table.idColumn]: id, [table.orgColumn]: change.fromOrgId })
      .update({ ...jsonColumnsAsText(values), [table.orgColumn]: change.toOrgId });
  }

  async deleteIds(trx: Knex.Transaction, table: ResolvedTable, ids: string[], orgId: string): Promise<number> {
    if (!ids.length) return 0;
    return trx(table.table).whereRaw('?? = ANY(?)', [table.idColumn, ids]).andWhere(table.orgColumn, orgId).del();
  }
}

/** jsonb values come back parsed; node-postgres would write arrays back as Postgres arrays. */
function jsonColumnsAsText(row: Row): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    out[column] =
      value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)
        ? JSON.stringify(value)
        : value;
  }
  return out;
}

import {
  AppError,
  ParticipantBatchReply,
  ParticipantBatchRequest,
  ParticipantDescribeReply,
  ParticipantRollbackReply,
  ParticipantRollbackRequest,
  TransferDatatype,
} from '@org-mgmt/contracts';
import { Clock, isUniqueViolation, Knex, systemClock } from '@org-mgmt/runtime';
import { derivedId } from './derived-id';
import { LEDGER_TABLE } from './ledger';
import { resolveTable, ResolvedTable, Row, TransferTable } from './transfer-table';

interface LedgerRow {
  batch_id: string;
  transfer_id: string;
  datatype: string;
  mode: 'copy' | 'move';
  source_org_id: string;
  target_org_id: string;
  record_ids: string[];
  restore: Row[];
  reply: ParticipantBatchReply | null;
  rolled_back_at: number | null;
  rollback_reply: ParticipantRollbackReply | null;
}

interface BatchOutcome {
  transferred: number;
  recordIds: string[];
  restore: Row[];
  cursor: string | null;
  done: boolean;
}

/**
 * The participant side of the asset-transfer protocol for the datatypes a service stores in its own
 * schema: each batch runs in one local transaction together with its ledger entry, so a retried
 * batch id answers its first result and changes nothing twice.
 */
export class TransferParticipant {
  private readonly tables = new Map<TransferDatatype, ResolvedTable>();

  constructor(
    private readonly db: Knex,
    tables: readonly TransferTable[],
    private readonly clock: Clock = systemClock,
  ) {
    for (const table of tables) this.tables.set(table.datatype, resolveTable(table));
  }

  get datatypes(): TransferDatatype[] {
    return [...this.tables.keys()];
  }

  async describe(request: { datatype: TransferDatatype; orgId: string }): Promise<ParticipantDescribeReply> {
    const table = this.table(request.datatype);
    const [{ count }] = await this.db(table.table).where(table.orgColumn, request.orgId).count({ count: '*' });
    return { datatype: request.datatype, orgId: request.orgId, count: Number(count) };
  }

  async transferBatch(request: ParticipantBatchRequest): Promise<ParticipantBatchReply> {
    const table = this.table(request.datatype);
    try {
      return await this.db.transaction(async (trx) => {
        const claimed = await trx(LEDGER_TABLE)
          .insert({
            batch_id: request.batchId,
            transfer_id: request.transferId,
            datatype: request.datatype,
            mode: request.mode,
            source_org_id: request.sourceOrgId,
            target_org_id: request.targetOrgId,
            committed_at: this.clock.now(),
          })
          .onConflict('batch_id')
          .ignore()
          .returning('batch_id');
        if (!claimed.length) return this.replay(trx, request);
        const outcome =
          request.mode === 'copy' ? await this.copy(trx, table, request) : await this.move(trx, table, request);
        const reply: ParticipantBatchReply = {
          batchId: request.batchId,
          transferred: outcome.transferred,
          cursor: outcome.cursor,
          done: outcome.done,
          replayed: false,
        };
        await trx(LEDGER_TABLE)
          .where({ batch_id: request.batchId })
          .update({ record_ids: JSON.stringify(outcome.recordIds), restore: JSON.stringify(outcome.restore), reply });
        return reply;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const constraint = (err as { constraint?: string }).constraint;
        throw new AppError('CONFLICT', `A ${request.datatype} record conflicts with one the target org already holds`, {
          constraint,
        });
      }
      throw err;
    }
  }

  async rollbackBatch(request: ParticipantRollbackRequest): Promise<ParticipantRollbackReply> {
    const table = this.table(request.datatype);
    return this.db.transaction(async (trx) => {
      const entry: LedgerRow | undefined = await trx(LEDGER_TABLE)
        .where({ batch_id: request.batchId })
        .forUpdate()
        .first();
      if (!entry) throw new AppError('NOT_FOUND', `Batch ${request.batchId} was never committed here`);
      this.checkSameBatch(entry, request);
      if (entry.rolled_back_at !== null) return { ...entry.rollback_reply!, replayed: true };
      const restored =
        entry.mode === 'copy' ? await this.deleteCopies(trx, table, entry) : await this.moveBack(trx, table, entry);
      const reply: ParticipantRollbackReply = { batchId: request.batchId, restored, replayed: false };
      await trx(LEDGER_TABLE)
        .where({ batch_id: request.batchId })
        .update({ rolled_back_at: this.clock.now(), rollback_reply: reply });
      return reply;
    });
  }

  private table(datatype: TransferDatatype): ResolvedTable {
    const table = this.tables.get(datatype);
    if (!table) throw new AppError('VALIDATION_FAILED', `This service does not store ${datatype}`);
    return table;
  }

  private async replay(trx: Knex.Transaction, request: ParticipantBatchRequest): Promise<ParticipantBatchReply> {
    const entry: LedgerRow = await trx(LEDGER_TABLE).where({ batch_id: request.batchId }).first();
    this.checkSameBatch(entry, request);
    return { ...entry.reply!, replayed: true };
  }

  private checkSameBatch(entry: LedgerRow, request: { transferId: string; datatype: string }): void {
    if (entry.transfer_id !== request.transferId || entry.datatype !== request.datatype) {
      throw new AppError('CONFLICT', `Batch id ${entry.batch_id} belongs to another transfer or datatype`);
    }
  }

  /** Copies the next rows after the cursor: new ids, references to carried datatypes remapped. */
  private async copy(
    trx: Knex.Transaction,
    table: ResolvedTable,
    request: ParticipantBatchRequest,
  ): Promise<BatchOutcome> {
    const query = trx(table.table)
      .where(table.orgColumn, request.sourceOrgId)
      .orderBy(table.orderColumn)
      .limit(request.limit);
    if (request.cursor !== null) query.where(table.orderColumn, '>', request.cursor);
    const rows: Row[] = await query;
    const carried = new Set<string>(request.datatypes);
    const targetValues = (await table.targetValues?.({ trx, ...request })) ?? {};
    const copies = rows.map((row) => {
      const copy: Row = { ...row };
      for (const column of table.generatedColumns) delete copy[column];
      copy[table.idColumn] = derivedId(request.transferId, String(row[table.idColumn]));
      copy[table.orgColumn] = request.targetOrgId;
      for (const ref of table.references) {
        const value = row[ref.column];
        if (value === null || value === undefined) continue;
        if (carried.has(ref.datatype)) copy[ref.column] = derivedId(request.transferId, String(value));
        else if (ref.outside === 'clear') copy[ref.column] = null;
      }
      return jsonColumnsAsText({ ...copy, ...targetValues });
    });
    const inserted: Row[] = copies.length
      ? await trx(table.table).insert(copies).onConflict(table.idColumn).ignore().returning(table.idColumn)
      : [];
    const last = rows[rows.length - 1];
    return {
      transferred: inserted.length,
      recordIds: inserted.map((r) => String(r[table.idColumn])),
      restore: [],
      cursor: last ? String(last[table.orderColumn]) : request.cursor,
      done: rows.length < request.limit,
    };
  }

  /**
   * Moves the source's oldest remaining rows (locked, so concurrent moves of one org never take a
   * row twice). Ids stay; references to datatypes the transfer does not carry may be cleared.
   */
  private async move(
    trx: Knex.Transaction,
    table: ResolvedTable,
    request: ParticipantBatchRequest,
  ): Promise<BatchOutcome> {
    const carried = new Set<string>(request.datatypes);
    const targetValues = (await table.targetValues?.({ trx, ...request })) ?? {};
    const changes: Row = { ...targetValues };
    for (const ref of table.references)
      if (!carried.has(ref.datatype) && ref.outside === 'clear') changes[ref.column] = null;
    const overwritten = Object.keys(changes);
    const rows: Row[] = await trx(table.table)
      .select(table.idColumn, table.orderColumn, ...overwritten)
      .where(table.orgColumn, request.sourceOrgId)
      .orderBy(table.orderColumn)
      .limit(request.limit)
      .forUpdate();
    const ids = rows.map((r) => String(r[table.idColumn]));
    const moved = ids.length
      ? await trx(table.table)
          .whereRaw('?? = ANY(?)', [table.idColumn, ids])
          .andWhere(table.orgColumn, request.sourceOrgId)
          .update({ ...jsonColumnsAsText(changes), [table.orgColumn]: request.targetOrgId })
      : 0;
    const remaining = await trx(table.table).where(table.orgColumn, request.sourceOrgId).first(table.idColumn);
    const last = rows[rows.length - 1];
    return {
      transferred: moved,
      recordIds: ids,
      restore: overwritten.length ? rows.map((row) => pick(row, [table.idColumn, ...overwritten])) : [],
      cursor: last ? String(last[table.orderColumn]) : request.cursor,
      done: !remaining,
    };
  }

  private async deleteCopies(trx: Knex.Transaction, table: ResolvedTable, entry: LedgerRow): Promise<number> {
    if (!entry.record_ids.length) return 0;
    return trx(table.table)
      .whereRaw('?? = ANY(?)', [table.idColumn, entry.record_ids])
      .andWhere(table.orgColumn, entry.target_org_id)
      .del();
  }

  /** Records the target still holds go back to the source, with the values the move overwrote. */
  private async moveBack(trx: Knex.Transaction, table: ResolvedTable, entry: LedgerRow): Promise<number> {
    if (!entry.restore.length) {
      if (!entry.record_ids.length) return 0;
      return trx(table.table)
        .whereRaw('?? = ANY(?)', [table.idColumn, entry.record_ids])
        .andWhere(table.orgColumn, entry.target_org_id)
        .update({ [table.orgColumn]: entry.source_org_id });
    }
    let restored = 0;
    for (const previous of entry.restore) {
      const { [table.idColumn]: id, ...values } = previous;
      restored += await trx(table.table)
        .where({ [table.idColumn]: id, [table.orgColumn]: entry.target_org_id })
        .update({ ...jsonColumnsAsText(values), [table.orgColumn]: entry.source_org_id });
    }
    return restored;
  }
}

function pick(row: Row, columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, row[c]]));
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

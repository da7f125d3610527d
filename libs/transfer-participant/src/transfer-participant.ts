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
import { BatchLogRepository, LoggedBatch } from './batch-log.repository';
import { derivedId } from './derived-id';
import { resolveTable, ResolvedTable, Row, TransferTable } from './transfer-table';
import { TransferTableRepository } from './transfer-table.repository';

interface BatchOutcome {
  transferred: number;
  recordIds: string[];
  restore: Row[];
  cursor: string | null;
  done: boolean;
}

/**
 * The participant side of the asset-transfer protocol for the datatypes a service stores in its own
 * schema: each batch runs in one local transaction together with its batch-log entry, so a retried
 * batch id answers its first result and changes nothing twice.
 */
export class TransferParticipant {
  private readonly tables = new Map<TransferDatatype, ResolvedTable>();
  private readonly records: TransferTableRepository;
  private readonly batchLog = new BatchLogRepository();

  constructor(
    db: Knex,
    tables: readonly TransferTable[],
    private readonly clock: Clock = systemClock,
  ) {
    this.records = new TransferTableRepository(db);
    for (const table of tables) this.tables.set(table.datatype, resolveTable(table));
  }

  get datatypes(): TransferDatatype[] {
    return [...this.tables.keys()];
  }

  async describe(request: { datatype: TransferDatatype; orgId: string }): Promise<ParticipantDescribeReply> {
    const count = await this.records.count(this.table(request.datatype), request.orgId);
    return { datatype: request.datatype, orgId: request.orgId, count };
  }

  async batch(request: ParticipantBatchRequest): Promise<ParticipantBatchReply> {
    const table = this.table(request.datatype);
    try {
      return await this.records.transaction(async (trx) => {
        if (!(await this.batchLog.claim(trx, request, this.clock.now()))) return this.replay(trx, request);
        const outcome =
          request.mode === 'copy' ? await this.copy(trx, table, request) : await this.move(trx, table, request);
        const reply: ParticipantBatchReply = {
          batchId: request.batchId,
          transferred: outcome.transferred,
          cursor: outcome.cursor,
          done: outcome.done,
          replayed: false,
        };
        await this.batchLog.recordOutcome(trx, { ...outcome, batchId: request.batchId, reply });
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

  async rollback(request: ParticipantRollbackRequest): Promise<ParticipantRollbackReply> {
    const table = this.table(request.datatype);
    return this.records.transaction(async (trx) => {
      const batch = await this.batchLog.find(trx, request.batchId, true);
      if (!batch) throw new AppError('NOT_FOUND', `Batch ${request.batchId} was never committed here`);
      this.checkSameBatch(batch, request);
      if (batch.rolledBackAt !== null) return { ...batch.rollbackReply!, replayed: true };
      const restored =
        batch.mode === 'copy'
          ? await this.records.deleteIds(trx, table, batch.recordIds, batch.targetOrgId)
          : await this.moveBack(trx, table, batch);
      const reply: ParticipantRollbackReply = { batchId: request.batchId, restored, replayed: false };
      await this.batchLog.recordRollback(trx, reply, this.clock.now());
      return reply;
    });
  }

  private table(datatype: TransferDatatype): ResolvedTable {
    const table = this.tables.get(datatype);
    if (!table) throw new AppError('VALIDATION_FAILED', `This service does not store ${datatype}`);
    return table;
  }

  private async replay(trx: Knex.Transaction, request: ParticipantBatchRequest): Promise<ParticipantBatchReply> {
    const batch = (await this.batchLog.find(trx, request.batchId))!;
    this.checkSameBatch(batch, request);
    return { ...batch.reply!, replayed: true };
  }

  private checkSameBatch(batch: LoggedBatch, request: { transferId: string; datatype: string }): void {
    if (batch.transferId !== request.transferId || batch.datatype !== request.datatype) {
      throw new AppError('CONFLICT', `Batch id ${batch.batchId} belongs to another transfer or datatype`);
    }
  }

  /** Copies the next rows after the cursor: new ids, references to carried datatypes remapped. */
  private async copy(
    trx: Knex.Transaction,
    table: ResolvedTable,
    request: ParticipantBatchRequest,
  ): Promise<BatchOutcome> {
    const rows = await this.records.nextRows(trx, table, {
      orgId: request.sourceOrgId,
      cursor: request.cursor,
      limit: request.limit,
    });
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
      return { ...copy, ...targetValues };
    });
    const inserted = await this.records.insertNew(trx, table, copies);
    return {
      transferred: inserted.length,
      recordIds: inserted,
      restore: [],
      cursor: cursorAfter(table, rows, request.cursor),
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
    const rows = await this.records.lockOldest(trx, table, {
      orgId: request.sourceOrgId,
      columns: overwritten,
      limit: request.limit,
    });
    const ids = rows.map((r) => String(r[table.idColumn]));
    const moved = await this.records.reassign(trx, table, {
      ids,
      fromOrgId: request.sourceOrgId,
      toOrgId: request.targetOrgId,
      values: changes,
    });
    return {
      transferred: moved,
      recordIds: ids,
      restore: overwritten.length ? rows.map((row) => pick(row, [table.idColumn, ...overwritten])) : [],
      cursor: cursorAfter(table, rows, request.cursor),
      done: !(await this.records.hasRows(trx, table, request.sourceOrgId)),
    };
  }

  /** Records the target still holds go back to the source, with the values the move overwrote. */
  private async moveBack(trx: Knex.Transaction, table: ResolvedTable, batch: LoggedBatch): Promise<number> {
    const back = { fromOrgId: batch.targetOrgId, toOrgId: batch.sourceOrgId };
    if (!batch.restore.length) return this.records.reassign(trx, table, { ...back, ids: batch.recordIds });
    let restored = 0;
    for (const previous of batch.restore) restored += await this.records.restore(trx, table, { ...back, previous });
    return restored;
  }
}

function cursorAfter(table: ResolvedTable, rows: Row[], cursor: string | null): string | null {
  const last = rows[rows.length - 1];
  return last ? String(last[table.orderColumn]) : cursor;
}

function pick(row: Row, columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, row[c]]));
}

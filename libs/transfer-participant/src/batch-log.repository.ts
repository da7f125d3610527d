import { ParticipantBatchReply, ParticipantBatchRequest, ParticipantRollbackReply } from '@org-mgmt/contracts';
import { Knex } from '@org-mgmt/runtime';
import { BATCH_LOG_TABLE } from '../migrations/batch-log-table';
import { Row } from './transfer-table';

interface BatchLogRow {
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

/** A batch as the log holds it. */
export interface LoggedBatch {
  batchId: string;
  transferId: string;
  datatype: string;
  mode: 'copy' | 'move';
  sourceOrgId: string;
  targetOrgId: string;
  /** Ids the batch wrote in the target org (the copies' new ids on copy). */
  recordIds: string[];
  /** On move: the values the batch overwrote, per record, so a rollback restores them. */
  restore: Row[];
  reply: ParticipantBatchReply | null;
  rolledBackAt: number | null;
  rollbackReply: ParticipantRollbackReply | null;
}

/** Owns the batch log (transfer_participant_batches); every method runs in the batch's transaction. */
export class BatchLogRepository {
  /** Logs the batch as begun; false when its id is logged already (a retry). */
  async claim(trx: Knex.Transaction, request: ParticipantBatchRequest, now: number): Promise<boolean> {
    const claimed = await trx(BATCH_LOG_TABLE)
      .insert({
        batch_id: request.batchId,
        transfer_id: request.transferId,
        datatype: request.datatype,
        mode: request.mode,
        source_org_id: request.sourceOrgId,
        target_org_id: request.targetOrgId,
        committed_at: now,
      })
      .onConflict('batch_id')
      .ignore()
      .returning('batch_id');
    return claimed.length > 0;
  }

  /** The logged batch; `lock` keeps its row locked until the transaction ends. */
  async find(trx: Knex.Transaction, batchId: string, lock = false): Promise<LoggedBatch | undefined> {
    const query = trx(BATCH_LOG_TABLE).where({ batch_id: batchId });
    if (lock) query.forUpdate();
    const row: BatchLogRow | undefined = await query.first();
    return row && toLoggedBatch(row);
  }

  async recordOutcome(
    trx: Knex.Transaction,
    outcome: { batchId: string; recordIds: string[]; restore: Row[]; reply: ParticipantBatchReply },
  ): Promise<void> {
    await trx(BATCH_LOG_TABLE)
      .where({ batch_id: outcome.batchId })
      .update({
        record_ids: JSON.stringify(outcome.recordIds),
        restore: JSON.stringify(outcome.restore),
        reply: outcome.reply,
      });
  }

  async recordRollback(trx: Knex.Transaction, reply: ParticipantRollbackReply, now: number): Promise<void> {
    await trx(BATCH_LOG_TABLE)
      .where({ batch_id: reply.batchId })
      .update({ rolled_back_at: now, rollback_reply: reply });
  }
}

function toLoggedBatch(row: BatchLogRow): LoggedBatch {
  return {
    batchId: row.batch_id,
    transferId: row.transfer_id,
    datatype: row.datatype,
    mode: row.mode,
    sourceOrgId: row.source_org_id,
    targetOrgId: row.target_org_id,
    recordIds: row.record_ids,
    restore: row.restore,
    reply: row.reply,
    rolledBackAt: row.rolled_back_at,
    rollbackReply: row.rollback_reply,
  };
}

import { Knex } from '@org-mgmt/runtime';

/** The participant's batch log: every batch it committed, which makes batches and rollbacks idempotent. */
export const BATCH_LOG_TABLE = 'transfer_participant_batches';

/** Creates the batch log. Landed migrations call this, so what it creates never changes. */
export async function createBatchLog(db: Knex): Promise<void> {
  await db.schema.createTable(BATCH_LOG_TABLE, (t) => {
    t.text('batch_id').primary();
    t.text('transfer_id').notNullable().index();
    t.text('datatype').notNullable();
    t.text('mode').notNullable();
    t.text('source_org_id').notNullable();
    t.text('target_org_id').notNullable();
    /** Ids the batch wrote in the target org (the copies' new ids on copy). */
    t.jsonb('record_ids').notNullable().defaultTo('[]');
    /** On move: the values the batch overwrote, per record, so a rollback restores them. */
    t.jsonb('restore').notNullable().defaultTo('[]');
    t.jsonb('reply');
    t.bigInteger('committed_at').notNullable();
    t.bigInteger('rolled_back_at');
    t.jsonb('rollback_reply');
  });
}

// The names the landed migrations import; they are never edited, so these stay.
export const LEDGER_TABLE = BATCH_LOG_TABLE;
export const createTransferLedger = createBatchLog;

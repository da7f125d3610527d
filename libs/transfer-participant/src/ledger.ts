import { Knex } from '@org-mgmt/runtime';

/** The participant's record of every batch it committed: makes batches and rollbacks idempotent. */
export const LEDGER_TABLE = 'transfer_participant_batches';

/** Creates the batch log; a participant service calls it from one of its own migrations. */
export async function createTransferLedger(db: Knex): Promise<void> {
  await db.schema.createTable(LEDGER_TABLE, (t) => {
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

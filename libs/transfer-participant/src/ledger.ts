import { Knex, Migration } from '@org-mgmt/runtime';

/** The participant's record of every batch it committed: makes batches and rollbacks idempotent. */
export const LEDGER_TABLE = 'transfer_participant_batches';

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

/** A migration a participant service appends to its own list (or calls from one of its migrations). */
export function transferLedgerMigration(name: string): Migration {
  return {
    name,
    up: createTransferLedger,
    async down(db: Knex) {
      await db.schema.dropTableIfExists(LEDGER_TABLE);
    },
  };
}

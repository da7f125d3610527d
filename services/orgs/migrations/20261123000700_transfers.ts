import { Knex, Migration } from '@org-mgmt/runtime';
import { createTransferLedger, LEDGER_TABLE } from '@org-mgmt/transfer-participant';

/** Owner history and the change log that makes the transfers service's calls idempotent; the participant ledger. */
export const transfersMigration: Migration = {
  name: '20261123000700_transfers',
  async up(db: Knex) {
    await db.schema.createTable('owner_history', (t) => {
      t.text('change_id').primary();
      t.text('org_id').notNullable().references('id').inTable('organizations').onDelete('CASCADE');
      t.text('customer_id').notNullable();
      t.text('email').notNullable();
      t.text('first_name');
      t.text('last_name');
      t.text('phone');
      t.text('job_title');
      t.bigInteger('owner_since').notNullable();
      t.bigInteger('owner_until').notNullable();
      t.text('outcome').notNullable();
      t.text('new_owner_email').notNullable();
      t.text('changed_by').notNullable();
      t.index(['org_id', 'owner_until']);
    });
    await db.schema.createTable('transfer_changes', (t) => {
      t.text('change_id').primary();
      t.text('kind').notNullable();
      t.text('org_id').notNullable();
      t.jsonb('result').notNullable();
      t.bigInteger('created_at').notNullable();
    });
    await createTransferLedger(db);
  },
  async down(db: Knex) {
    for (const table of [LEDGER_TABLE, 'transfer_changes', 'owner_history']) await db.schema.dropTableIfExists(table);
  },
};

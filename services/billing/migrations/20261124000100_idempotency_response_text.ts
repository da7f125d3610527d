import { Knex, Migration } from '@org-mgmt/runtime';

/** The exact JSON text first answered for an Idempotency-Key: jsonb reorders keys, a replay must not. */
export const idempotencyResponseTextMigration: Migration = {
  name: '20261124000100_idempotency_response_text',
  async up(db: Knex) {
    await db.schema.alterTable('idempotency_keys', (t) => {
      t.text('response_text');
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('idempotency_keys', (t) => {
      t.dropColumn('response_text');
    });
  },
};

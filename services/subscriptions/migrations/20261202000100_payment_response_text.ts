import { Knex, Migration } from '@org-mgmt/runtime';

/** The exact JSON text a paid change first answered: jsonb reorders keys, an Idempotency-Key replay must not. */
export const paymentResponseTextMigration: Migration = {
  name: '20261202000100_payment_response_text',
  async up(db: Knex) {
    await db.schema.alterTable('subscription_payments', (t) => {
      t.text('response_text');
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('subscription_payments', (t) => {
      t.dropColumn('response_text');
    });
  },
};

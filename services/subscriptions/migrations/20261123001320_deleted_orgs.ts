import { Knex, Migration } from '@org-mgmt/runtime';

/**
 * Orgs this service saw deleted (org.deleted): an org.created redelivered after its org.deleted must
 * not start a subscription for a deleted org. A card payment that succeeds after its org's deletion
 * changes nothing and is marked with why it is owed back (`refund_due_reason`).
 */
export const deletedOrgsMigration: Migration = {
  name: '20261123001320_deleted_orgs',
  async up(db: Knex) {
    await db.schema.createTable('deleted_orgs', (t) => {
      t.text('org_id').primary();
      t.text('deleted_by').notNullable();
      t.text('reason').notNullable();
      t.bigInteger('deleted_at').notNullable();
    });
    await db.schema.alterTable('subscription_payments', (t) => {
      t.text('refund_due_reason');
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('subscription_payments', (t) => {
      t.dropColumn('refund_due_reason');
    });
    await db.schema.dropTableIfExists('deleted_orgs');
  },
};

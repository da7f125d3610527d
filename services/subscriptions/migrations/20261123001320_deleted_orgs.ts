import { Knex, Migration } from '@org-mgmt/runtime';

/**
 * Orgs this service saw deleted (org.deleted): an org.created redelivered after its org.deleted must
 * not start a subscription for a deleted org.
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
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('deleted_orgs');
  },
};

import { Knex, Migration } from '@org-mgmt/runtime';

/** Suspension policy, cancellations, pre-approved signups, deletions and their teardown tracking. */
export const lifecycleMigration: Migration = {
  name: '20261123000200_lifecycle',
  async up(db: Knex) {
    await db.schema.alterTable('organizations', (t) => {
      t.boolean('suspend_on_quota_exceeded').notNullable().defaultTo(false);
      t.bigInteger('deleted_at');
    });

    await db.schema.createTable('account_cancellations', (t) => {
      t.bigIncrements('seq').primary();
      t.text('org_id').notNullable().references('id').inTable('organizations').onDelete('CASCADE');
      t.text('reason').notNullable();
      t.boolean('data_deletion_requested').notNullable();
      t.text('cancelled_by').notNullable();
      t.bigInteger('cancelled_at').notNullable();
      t.text('reactivated_by');
      t.bigInteger('reactivated_at');
      t.text('reactivation_reason');
    });
    await db.raw('CREATE UNIQUE INDEX account_cancellations_one_open ON account_cancellations (org_id) WHERE reactivated_at IS NULL');

    await db.schema.createTable('pre_approved_signups', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('kind').notNullable();
      t.text('email');
      t.text('code');
      t.integer('max_uses').notNullable();
      t.integer('uses').notNullable().defaultTo(0);
      t.bigInteger('expires_at');
      t.text('note');
      t.text('created_by').notNullable();
      t.bigInteger('created_at').notNullable();
      t.text('removed_by');
      t.bigInteger('removed_at');
    });
    await db.raw(`ALTER TABLE pre_approved_signups ADD CONSTRAINT pre_approved_signups_shape CHECK (
      (kind = 'email' AND email IS NOT NULL AND code IS NULL) OR (kind = 'code' AND code IS NOT NULL AND email IS NULL))`);
    await db.raw('ALTER TABLE pre_approved_signups ADD CONSTRAINT pre_approved_signups_uses CHECK (uses >= 0 AND uses <= max_uses AND max_uses >= 1)');
    await db.raw('CREATE UNIQUE INDEX pre_approved_signups_code ON pre_approved_signups (code) WHERE code IS NOT NULL');
    await db.raw('CREATE UNIQUE INDEX pre_approved_signups_live_email ON pre_approved_signups (email) WHERE email IS NOT NULL AND removed_at IS NULL');

    await db.schema.createTable('signup_consumptions', (t) => {
      t.text('signup_id').notNullable();
      t.text('org_id').notNullable();
      t.bigInteger('consumed_at').notNullable();
      t.primary(['signup_id', 'org_id']);
    });

    await db.schema.createTable('signup_validation_windows', (t) => {
      t.text('client_key').notNullable();
      t.bigInteger('window_start').notNullable();
      t.integer('attempts').notNullable();
      t.primary(['client_key', 'window_start']);
    });

    await db.schema.createTable('org_deletions', (t) => {
      t.text('org_id').primary();
      t.text('mode').notNullable();
      t.jsonb('teardown').notNullable();
      t.text('reason').notNullable();
      t.text('requested_by').notNullable();
      t.bigInteger('requested_at').notNullable();
      t.bigInteger('retention_until');
    });

    await db.schema.createTable('teardown_tasks', (t) => {
      t.text('org_id').notNullable();
      t.text('resource').notNullable();
      t.text('status').notNullable();
      t.text('detail');
      t.text('acknowledged_by');
      t.bigInteger('acknowledged_at');
      t.primary(['org_id', 'resource']);
    });
  },
  async down(db: Knex) {
    for (const table of ['teardown_tasks', 'org_deletions', 'signup_validation_windows', 'signup_consumptions', 'pre_approved_signups', 'account_cancellations']) {
      await db.schema.dropTableIfExists(table);
    }
    await db.schema.alterTable('organizations', (t) => {
      t.dropColumn('suspend_on_quota_exceeded');
      t.dropColumn('deleted_at');
    });
  },
};

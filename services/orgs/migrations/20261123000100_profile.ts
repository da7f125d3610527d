import { Knex, Migration } from '@org-mgmt/runtime';

/** Organisations, their owner, status history and address book. */
export const profileMigration: Migration = {
  name: '20261123000100_profile',
  async up(db: Knex) {
    await db.schema.createTable('organizations', (t) => {
      t.text('id').primary();
      t.text('company_name').notNullable();
      t.text('company_name_key').notNullable().unique();
      t.text('display_name');
      t.text('business_vertical_id');
      t.jsonb('metadata').notNullable().defaultTo('{}');
      t.jsonb('interests').notNullable().defaultTo('[]');
      t.jsonb('feature_overrides').notNullable().defaultTo('{}');
      t.text('service_status').notNullable().defaultTo('ACTIVE');
      t.bigInteger('last_service_status_changed');
      t.text('platform_email');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await db.raw(`ALTER TABLE organizations ADD CONSTRAINT organizations_status_check
      CHECK (service_status IN ('ACTIVE', 'SUSPENDED', 'INACTIVE'))`);
    await db.raw('ALTER TABLE organizations ADD CONSTRAINT organizations_name_length CHECK (char_length(company_name) >= 2)');

    await db.schema.createTable('service_status_records', (t) => {
      t.text('id').primary();
      t.text('org_id').notNullable().references('id').inTable('organizations').onDelete('CASCADE');
      t.text('status').notNullable();
      t.text('previous_status');
      t.text('suspension_type');
      t.bigInteger('timestamp').notNullable();
      t.text('reason').notNullable();
      t.text('changed_by').notNullable();
      t.boolean('is_current').notNullable();
      t.index(['org_id', 'timestamp']);
    });
    await db.raw('CREATE UNIQUE INDEX service_status_one_current ON service_status_records (org_id) WHERE is_current');

    await db.schema.createTable('customers', (t) => {
      t.text('id').primary();
      t.text('org_id').notNullable().unique().references('id').inTable('organizations').onDelete('CASCADE');
      t.text('email').notNullable();
      t.text('first_name');
      t.text('last_name');
      t.text('phone');
      t.text('job_title');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
    });

    await db.schema.createTable('addresses', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('org_id').notNullable().references('id').inTable('organizations').onDelete('CASCADE');
      t.text('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
      t.text('type').notNullable();
      t.text('line1').notNullable();
      t.text('line2');
      t.text('city').notNullable();
      t.text('region');
      t.text('postal_code').notNullable();
      t.text('country').notNullable();
      t.boolean('is_default').notNullable().defaultTo(false);
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['org_id', 'seq']);
    });
    await db.raw('CREATE UNIQUE INDEX addresses_one_default_per_type ON addresses (org_id, type) WHERE is_default');

  },
  async down(db: Knex) {
    for (const table of ['addresses', 'customers', 'service_status_records', 'organizations']) {
      await db.schema.dropTableIfExists(table);
    }
  },
};

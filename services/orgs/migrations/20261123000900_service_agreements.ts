import { Knex, Migration } from '@org-mgmt/runtime';

/**
 * Service agreements: one row per acceptance or revocation, never updated or deleted (a trigger
 * refuses it), so the record of who accepted which terms, when and from where stays provable.
 * No foreign key to organizations: the record outlives the org.
 */
export const serviceAgreementsMigration: Migration = {
  name: '20261123000900_service_agreements',
  async up(db: Knex) {
    await db.schema.createTable('service_agreement_records', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('org_id').notNullable();
      t.text('service_name').notNullable();
      t.text('action').notNullable();
      t.text('terms_version').notNullable();
      t.text('actor').notNullable();
      t.text('actor_email');
      t.text('ip');
      t.text('user_agent');
      t.text('reason');
      t.bigInteger('recorded_at').notNullable();
      t.index(['org_id', 'service_name', 'seq']);
    });
    await db.raw(`ALTER TABLE service_agreement_records ADD CONSTRAINT service_agreement_records_action_check
      CHECK (action IN ('accepted', 'revoked'))`);
    await db.raw(`CREATE FUNCTION service_agreement_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'service agreement records are append-only'; END $$`);
    await db.raw(`CREATE TRIGGER service_agreement_records_no_change BEFORE UPDATE OR DELETE ON service_agreement_records
      FOR EACH ROW EXECUTE FUNCTION service_agreement_records_append_only()`);
    await db.raw(`CREATE TRIGGER service_agreement_records_no_truncate BEFORE TRUNCATE ON service_agreement_records
      FOR EACH STATEMENT EXECUTE FUNCTION service_agreement_records_append_only()`);
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('service_agreement_records');
    await db.raw('DROP FUNCTION IF EXISTS service_agreement_records_append_only()');
  },
};

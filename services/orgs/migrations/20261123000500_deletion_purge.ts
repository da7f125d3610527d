import { Knex, Migration } from '@org-mgmt/runtime';

/**
 * When a deleted org's personal data was purged (hard deletes at once, soft ones after retention);
 * status records get an insertion sequence, so history keeps its order when two changes share a millisecond.
 */
export const deletionPurgeMigration: Migration = {
  name: '20261123000500_deletion_purge',
  async up(db: Knex) {
    await db.schema.alterTable('org_deletions', (t) => t.bigInteger('purged_at'));
    await db.raw('CREATE INDEX org_deletions_due ON org_deletions (retention_until) WHERE purged_at IS NULL');
    await db.raw('ALTER TABLE service_status_records ADD COLUMN seq bigserial');
    await db.raw('CREATE INDEX service_status_records_org_seq ON service_status_records (org_id, seq)');
  },
  async down(db: Knex) {
    await db.schema.alterTable('org_deletions', (t) => t.dropColumn('purged_at'));
    await db.schema.alterTable('service_status_records', (t) => t.dropColumn('seq'));
  },
};

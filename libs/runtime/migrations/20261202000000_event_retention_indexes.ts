import { Knex } from 'knex';
import { Migration } from '../src/db/database';

/** The indexes pruning walks (EventRetention): published outbox rows by publication, processed events by age. */
export const eventRetentionIndexesMigration: Migration = {
  name: '20261202000000_event_retention_indexes',
  async up(db: Knex) {
    await db.raw('CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL');
    await db.raw('CREATE INDEX processed_events_processed_at ON processed_events (processed_at)');
  },
  async down(db: Knex) {
    await db.raw('DROP INDEX IF EXISTS processed_events_processed_at');
    await db.raw('DROP INDEX IF EXISTS outbox_published');
  },
};

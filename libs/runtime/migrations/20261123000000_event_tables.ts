import { Knex } from 'knex';
import { Migration } from '../src/db/database';

/** Tables every service with events has in its own schema: its outbox and its consumers' dedupe log. */
export async function createEventTables(db: Knex): Promise<void> {
  await db.schema.createTable('outbox', (t) => {
    t.bigIncrements('seq').primary();
    t.text('id').notNullable().unique();
    t.text('subject').notNullable();
    t.jsonb('envelope').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('published_at');
  });
  await db.raw('CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL');
  await db.schema.createTable('processed_events', (t) => {
    t.text('consumer').notNullable();
    t.text('event_id').notNullable();
    t.bigInteger('processed_at').notNullable();
    t.primary(['consumer', 'event_id']);
  });
}

export const eventTablesMigration: Migration = {
  name: '20261123000000_event_tables',
  up: createEventTables,
  async down(db: Knex) {
    await db.schema.dropTableIfExists('processed_events');
    await db.schema.dropTableIfExists('outbox');
  },
};

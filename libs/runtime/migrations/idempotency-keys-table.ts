import { Knex, Migration } from '../src/db/database';

/**
 * The table IdempotencyKeys owns, for a service that has none yet. Billing's, created by its own
 * landed migrations, has the same columns.
 */
export function idempotencyKeysMigration(name: string): Migration {
  return {
    name,
    async up(db: Knex) {
      await db.schema.createTable('idempotency_keys', (t) => {
        t.text('scope').notNullable();
        t.text('account').notNullable();
        t.text('key').notNullable();
        t.text('request_hash').notNullable();
        t.jsonb('response');
        t.text('response_text');
        t.bigInteger('created_at').notNullable();
        t.primary(['scope', 'account', 'key']);
      });
    },
    async down(db: Knex) {
      await db.schema.dropTableIfExists('idempotency_keys');
    },
  };
}

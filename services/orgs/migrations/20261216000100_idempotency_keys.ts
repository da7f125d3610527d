import { idempotencyKeysMigration, Knex, Migration, UNRECORDED_PARAMETERS } from '@org-mgmt/runtime';

const table = idempotencyKeysMigration('20261216000100_idempotency_keys');

/**
 * The transfers service's change ids move to the idempotency_keys table IdempotencyKeys owns (scope
 * the change kind, account the org). The changes already applied are copied with their results, so a
 * retried call still answers the same; transfer_changes kept no request, so those match any body.
 * transfer_changes stays, no longer written.
 */
export const changeIdempotencyKeysMigration: Migration = {
  name: table.name,
  async up(db: Knex) {
    await table.up(db);
    await db.raw(
      `INSERT INTO idempotency_keys (scope, account, key, request_hash, response, created_at)
       SELECT kind, org_id, change_id, ?, result, created_at FROM transfer_changes`,
      [UNRECORDED_PARAMETERS],
    );
  },
  down: table.down,
};

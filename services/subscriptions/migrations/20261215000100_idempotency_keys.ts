import { hashOf, idempotencyKeysMigration, Knex, Migration } from '@org-mgmt/runtime';

const table = idempotencyKeysMigration('20261215000100_idempotency_keys');

/**
 * Idempotency-Keys move to the idempotency_keys table IdempotencyKeys owns. The keys already stored
 * on subscription_payments are copied, with their answers, so a repeated request still replays.
 */
export const paymentIdempotencyKeysMigration: Migration = {
  name: table.name,
  async up(db: Knex) {
    await table.up(db);
    const rows: {
      org_id: string;
      idempotency_key: string;
      purpose: string;
      plan: string;
      interval: string;
      response: unknown;
      response_text: string | null;
      created_at: number;
    }[] = await db('subscription_payments').whereNotNull('idempotency_key');
    for (const row of rows) {
      await db('idempotency_keys').insert({
        scope: 'subscriptions.payment',
        account: row.org_id,
        key: row.idempotency_key,
        request_hash: hashOf({ purpose: row.purpose, plan: row.plan, interval: row.interval }),
        response: row.response === null ? null : JSON.stringify(row.response),
        response_text: row.response_text,
        created_at: row.created_at,
      });
    }
  },
  down: table.down,
};

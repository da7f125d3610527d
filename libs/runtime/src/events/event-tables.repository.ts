import { EventEnvelope } from '@org-mgmt/contracts';
import { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

export interface OutboxRow {
  seq: number;
  envelope: EventEnvelope;
}

export interface OutboxBacklog {
  unpublished: number;
  /** created_at of the oldest unpublished row; null when there is none. */
  oldestCreatedAt: number | null;
}

/**
 * Owns a service's event tables (see createEventTables): its `outbox` and its consumers'
 * `processed_events`. Every query on them is here; callers pass the pool or their transaction.
 */
export const eventTables = {
  async addToOutbox(trx: Knex.Transaction, envelope: EventEnvelope): Promise<void> {
    await trx('outbox').insert({ id: envelope.id, subject: envelope.type, envelope, created_at: envelope.occurredAt });
  },

  /** The oldest unpublished rows, locked; rows another relay holds are skipped, not waited for. */
  lockUnpublished(trx: Knex.Transaction, limit: number): Promise<OutboxRow[]> {
    return trx('outbox')
      .select('seq', 'envelope')
      .whereNull('published_at')
      .orderBy('seq')
      .limit(limit)
      .forUpdate()
      .skipLocked();
  },

  async markPublished(trx: Knex.Transaction, seqs: number[], at: number): Promise<void> {
    if (seqs.length) await trx('outbox').whereIn('seq', seqs).update({ published_at: at });
  },

  /** One aggregate over the partial index of unpublished rows. */
  async outboxBacklog(db: Db): Promise<OutboxBacklog> {
    const row = await db('outbox').whereNull('published_at').count({ n: '*' }).min({ oldest: 'created_at' }).first();
    return { unpublished: Number(row?.n ?? 0), oldestCreatedAt: row?.oldest == null ? null : Number(row.oldest) };
  },

  /**
   * Records that `consumer` handled `eventId`, in the handler's transaction. False when it already had
   * (a concurrent delivery holding the same key waits here until the first commits or rolls back).
   */
  async recordProcessed(trx: Knex.Transaction, consumer: string, eventId: string, at: number): Promise<boolean> {
    const inserted = await trx('processed_events')
      .insert({ consumer, event_id: eventId, processed_at: at })
      .onConflict(['consumer', 'event_id'])
      .ignore()
      .returning('event_id');
    return inserted.length > 0;
  },

  /**
   * Deletes up to `limit` published outbox rows published before `before`; never an unpublished one.
   * Rows another pruner (or a relay) holds are skipped, so replicas never wait on each other. The
   * batch is an array, not `IN (subquery)`, which the planner would answer with a scan of the table.
   */
  prunePublished(db: Db, before: number, limit: number): Promise<number> {
    return deleted(
      db.raw(
        `DELETE FROM outbox WHERE seq = ANY(ARRAY(
         SELECT seq FROM outbox WHERE published_at IS NOT NULL AND published_at < ? ORDER BY published_at LIMIT ? FOR UPDATE SKIP LOCKED))`,
        [before, limit],
      ),
    );
  },

  /** Deletes up to `limit` processed-event rows recorded before `before`, skipping locked ones (by ctid: the rows are locked meanwhile). */
  pruneProcessed(db: Db, before: number, limit: number): Promise<number> {
    return deleted(
      db.raw(
        `DELETE FROM processed_events WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM processed_events WHERE processed_at < ? ORDER BY processed_at LIMIT ? FOR UPDATE SKIP LOCKED))`,
        [before, limit],
      ),
    );
  },
};

async function deleted(query: Knex.Raw): Promise<number> {
  const result: { rowCount: number | null } = await query;
  return result.rowCount ?? 0;
}

import { Inject, Injectable } from '@nestjs/common';
import { TEARDOWN_RESOURCES, TeardownOptions, TeardownResource, TeardownStatus } from '@org-mgmt/contracts';
import { DATABASE, Knex } from '@org-mgmt/runtime';

interface DeletionRow {
  org_id: string;
  mode: 'soft' | 'hard';
  teardown: TeardownOptions;
  reason: string;
  requested_by: string;
  requested_at: number;
  retention_until: number | null;
  purged_at: number | null;
}

interface TaskRow {
  resource: TeardownResource;
  status: TeardownStatus['resources'][number]['status'];
  detail: string | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
}

export type NewDeletion = Omit<TeardownStatus, 'status' | 'resources' | 'purgedAt'>;

export interface TeardownAck {
  orgId: string;
  resource: TeardownResource;
  status: 'completed' | 'failed';
  detail: string | null;
  acknowledgedBy: string;
  acknowledgedAt: number;
}

/** Owns org_deletions and teardown_tasks: each deletion and one teardown task per requested resource kind. */
@Injectable()
export class OrgDeleteRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async insert(trx: Knex.Transaction, deletion: NewDeletion): Promise<void> {
    await trx('org_deletions').insert({
      org_id: deletion.orgId,
      mode: deletion.mode,
      teardown: JSON.stringify(deletion.teardown),
      reason: deletion.reason,
      requested_by: deletion.requestedBy,
      requested_at: deletion.requestedAt,
      retention_until: deletion.retentionUntil,
    });
    const requested = TEARDOWN_RESOURCES.filter((resource) => deletion.teardown[resource]);
    if (requested.length) {
      await trx('teardown_tasks').insert(
        requested.map((resource) => ({ org_id: deletion.orgId, resource, status: 'pending' })),
      );
    }
  }

  async markPurged(trx: Knex.Transaction, orgId: string, now: number): Promise<void> {
    await trx('org_deletions').where({ org_id: orgId }).update({ purged_at: now });
  }

  /** Soft deletions whose retention ended and whose data is still there, locked for purging. */
  async lockDueForPurge(trx: Knex.Transaction, now: number, limit: number): Promise<string[]> {
    return trx('org_deletions')
      .whereNull('purged_at')
      .where('retention_until', '<=', now)
      .orderBy('retention_until')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .pluck('org_id');
  }

  /** Records a subscriber's acknowledgement; a completed task stays completed. False when no such task exists. */
  async acknowledge(trx: Knex.Transaction, ack: TeardownAck): Promise<boolean> {
    const task = await trx('teardown_tasks')
      .where({ org_id: ack.orgId, resource: ack.resource })
      .forUpdate()
      .first('status');
    if (!task) return false;
    if (task.status !== 'completed') {
      await trx('teardown_tasks').where({ org_id: ack.orgId, resource: ack.resource }).update({
        status: ack.status,
        detail: ack.detail,
        acknowledged_by: ack.acknowledgedBy,
        acknowledged_at: ack.acknowledgedAt,
      });
    }
    return true;
  }

  async find(orgId: string, db: Knex | Knex.Transaction = this.db): Promise<TeardownStatus | null> {
    const row: DeletionRow | undefined = await db('org_deletions').where({ org_id: orgId }).first();
    if (!row) return null;
    const tasks: TaskRow[] = await db('teardown_tasks').where({ org_id: orgId }).orderBy('resource');
    const resources = tasks.map((t) => ({
      resource: t.resource,
      status: t.status,
      detail: t.detail,
      acknowledgedBy: t.acknowledged_by,
      acknowledgedAt: t.acknowledged_at,
    }));
    return {
      orgId,
      mode: row.mode,
      reason: row.reason,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at,
      retentionUntil: row.retention_until,
      purgedAt: row.purged_at,
      teardown: row.teardown,
      status: resources.some((r) => r.status === 'failed')
        ? 'failed'
        : resources.some((r) => r.status === 'pending')
          ? 'in_progress'
          : 'completed',
      resources,
    };
  }
}

import { Injectable } from '@nestjs/common';
import { Customer, OwnerChange } from '@org-mgmt/contracts';
import { Knex, lockUntilCommit } from '@org-mgmt/runtime';

export type ChangeKind = 'owner' | 'primary_email';

/** A change the transfers service made here, with the result it was answered. */
export interface RecordedChange<T> {
  kind: ChangeKind;
  orgId: string;
  result: T;
}

export interface PreviousOwner {
  change: OwnerChange;
  owner: Customer;
  ownerSince: number;
  ownerUntil: number;
}

/** Owns owner_history (every owner an org has had) and transfer_changes (the log of changes by change id). */
@Injectable()
export class OwnershipRepository {
  /** Serialises the calls of one change id until the transaction ends. */
  lockChange(trx: Knex.Transaction, changeId: string): Promise<void> {
    return lockUntilCommit(trx, changeId);
  }

  async findChange<T>(trx: Knex.Transaction, changeId: string): Promise<RecordedChange<T> | null> {
    const row: { kind: ChangeKind; org_id: string; result: T } | undefined = await trx('transfer_changes')
      .where({ change_id: changeId })
      .first();
    return row ? { kind: row.kind, orgId: row.org_id, result: row.result } : null;
  }

  async recordChange<T>(trx: Knex.Transaction, changeId: string, change: RecordedChange<T>, now: number) {
    await trx('transfer_changes').insert({
      change_id: changeId,
      kind: change.kind,
      org_id: change.orgId,
      result: JSON.stringify(change.result),
      created_at: now,
    });
  }

  /** When the latest owner change of the org happened; null before any. */
  async lastOwnerChange(trx: Knex.Transaction, orgId: string): Promise<number | null> {
    const last: { owner_until: number } | undefined = await trx('owner_history')
      .where({ org_id: orgId })
      .orderBy('owner_until', 'desc')
      .first('owner_until');
    return last?.owner_until ?? null;
  }

  async recordPreviousOwner(trx: Knex.Transaction, previous: PreviousOwner): Promise<void> {
    const { change, owner } = previous;
    await trx('owner_history').insert({
      change_id: change.changeId,
      org_id: change.orgId,
      customer_id: owner.id,
      email: owner.email,
      first_name: owner.firstName,
      last_name: owner.lastName,
      phone: owner.phone,
      job_title: owner.jobTitle,
      owner_since: previous.ownerSince,
      owner_until: previous.ownerUntil,
      outcome: change.previousOwner,
      new_owner_email: change.newOwnerEmail,
      changed_by: change.changedBy,
    });
  }
}

import { Injectable } from '@nestjs/common';
import { Customer, OwnerChange } from '@org-mgmt/contracts';
import { Knex } from '@org-mgmt/runtime';

export interface PreviousOwner {
  change: OwnerChange;
  owner: Customer;
  ownerSince: number;
  ownerUntil: number;
}

/** Owns owner_history: every owner an org has had. */
@Injectable()
export class OwnershipRepository {
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

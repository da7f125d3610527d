import { Injectable } from '@nestjs/common';
import { Knex, lockUntilCommit } from '@org-mgmt/runtime';

/**
 * The orgs this service saw deleted; none of them gets a subscription again. Recording a deletion and
 * asking about one take the same per-org lock until commit, so a subscription started concurrently
 * (org.created, create, a settled payment) either commits first and is cancelled by the deletion, or
 * sees it. Take it before any subscription row lock (`lock`), the one order every writer uses.
 */
@Injectable()
export class DeletedOrgsRepository {
  lock(trx: Knex.Transaction, orgId: string): Promise<void> {
    return lockUntilCommit(trx, `subscriptions:org-deletion:${orgId}`);
  }

  async record(
    trx: Knex.Transaction,
    org: { orgId: string; deletedBy: string; reason: string; deletedAt: number },
  ): Promise<void> {
    await this.lock(trx, org.orgId);
    await trx('deleted_orgs')
      .insert({ org_id: org.orgId, deleted_by: org.deletedBy, reason: org.reason, deleted_at: org.deletedAt })
      .onConflict('org_id')
      .ignore();
  }

  async isDeleted(trx: Knex.Transaction, orgId: string): Promise<boolean> {
    await this.lock(trx, orgId);
    return Boolean(await trx('deleted_orgs').where({ org_id: orgId }).first('org_id'));
  }
}

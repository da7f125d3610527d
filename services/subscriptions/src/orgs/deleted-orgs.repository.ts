import { Injectable } from '@nestjs/common';
import { Knex } from '@org-mgmt/runtime';

/** The orgs this service saw deleted; none of them gets a subscription again. */
@Injectable()
export class DeletedOrgsRepository {
  async record(trx: Knex.Transaction, org: { orgId: string; deletedBy: string; reason: string; deletedAt: number }): Promise<void> {
    await trx('deleted_orgs')
      .insert({ org_id: org.orgId, deleted_by: org.deletedBy, reason: org.reason, deleted_at: org.deletedAt })
      .onConflict('org_id')
      .ignore();
  }

  async isDeleted(trx: Knex.Transaction, orgId: string): Promise<boolean> {
    return Boolean(await trx('deleted_orgs').where({ org_id: orgId }).first('org_id'));
  }
}

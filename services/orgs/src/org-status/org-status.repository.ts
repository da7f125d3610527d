import { Injectable } from '@nestjs/common';
import { OrganizationServiceStatusRecord, ServiceStatus } from '@org-mgmt/contracts';
import { Knex } from '@org-mgmt/runtime';

interface LockedOrgRow {
  service_status: ServiceStatus;
  suspend_on_quota_exceeded: boolean;
  deleted_at: number | null;
}

/** The org's status as a transition sees it, read under the org row's lock. */
export interface LockedStatus {
  orgId: string;
  status: ServiceStatus;
  suspensionType: OrganizationServiceStatusRecord['suspensionType'];
  suspendOnQuotaExceeded: boolean;
  deleted: boolean;
}

/** Owns the service_status_records table: every status record is appended here. */
@Injectable()
export class OrgStatusRepository {
  async lockStatus(trx: Knex.Transaction, orgId: string): Promise<LockedStatus | null> {
    const org: LockedOrgRow | undefined = await trx('organizations')
      .where({ id: orgId })
      .forUpdate()
      .first('service_status', 'suspend_on_quota_exceeded', 'deleted_at');
    if (!org) return null;
    const current: { suspension_type: LockedStatus['suspensionType'] } | undefined = await trx('service_status_records')
      .where({ org_id: orgId, is_current: true })
      .first('suspension_type');
    return {
      orgId,
      status: org.service_status,
      suspensionType: org.service_status === 'SUSPENDED' ? (current?.suspension_type ?? null) : null,
      suspendOnQuotaExceeded: org.suspend_on_quota_exceeded,
      deleted: org.deleted_at !== null,
    };
  }

  /** Appends the record as the only current one (the org row's status fields are the caller's to keep in step). */
  async append(trx: Knex.Transaction, orgId: string, record: OrganizationServiceStatusRecord): Promise<void> {
    await trx('service_status_records').where({ org_id: orgId, is_current: true }).update({ is_current: false });
    await trx('service_status_records').insert({
      id: record.id,
      org_id: orgId,
      status: record.status,
      previous_status: record.previousStatus,
      suspension_type: record.suspensionType,
      timestamp: record.timestamp,
      reason: record.reason,
      changed_by: record.changedBy,
      is_current: true,
    });
  }
}

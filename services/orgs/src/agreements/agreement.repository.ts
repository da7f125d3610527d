import { Inject, Injectable } from '@nestjs/common';
import { AgreementRecord } from '@org-mgmt/contracts';
import { DATABASE, Knex, lockUntilCommit } from '@org-mgmt/runtime';

interface AgreementRecordRow {
  id: string;
  org_id: string;
  service_name: string;
  action: AgreementRecord['action'];
  terms_version: string;
  actor: string;
  actor_email: string | null;
  ip: string | null;
  user_agent: string | null;
  reason: string | null;
  recorded_at: number;
}

type Db = Knex | Knex.Transaction;

/** Owns service_agreement_records, append-only: records are inserted and read, never changed. */
@Injectable()
export class AgreementRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  /** Serialises writers of one org's agreement to one add-on until the transaction ends. */
  async lock(trx: Knex.Transaction, orgId: string, addonName: string): Promise<void> {
    await lockUntilCommit(trx, `agreement:${orgId}:${addonName}`);
  }

  async append(trx: Knex.Transaction, record: AgreementRecord): Promise<void> {
    await trx('service_agreement_records').insert({
      id: record.id,
      org_id: record.orgId,
      service_name: record.serviceName,
      action: record.action,
      terms_version: record.termsVersion,
      actor: record.actor,
      actor_email: record.actorEmail,
      ip: record.ip,
      user_agent: record.userAgent,
      reason: record.reason,
      recorded_at: record.recordedAt,
    });
  }

  /** Every record of one add-on, newest first. */
  async history(orgId: string, addonName: string): Promise<AgreementRecord[]> {
    const rows: AgreementRecordRow[] = await this.db('service_agreement_records')
      .where({ org_id: orgId, service_name: addonName })
      .orderBy('seq', 'desc');
    return rows.map(toRecord);
  }

  /** The latest record of each add-on the org has any record for (only the named ones, when named). */
  async latest(orgId: string, addonNames?: readonly string[], db: Db = this.db): Promise<Map<string, AgreementRecord>> {
    const query = db('service_agreement_records')
      .distinctOn('service_name')
      .where({ org_id: orgId })
      .orderBy([{ column: 'service_name' }, { column: 'seq', order: 'desc' }]);
    if (addonNames) query.whereIn('service_name', addonNames);
    const rows: AgreementRecordRow[] = await query;
    return new Map(rows.map((row) => [row.service_name, toRecord(row)]));
  }
}

function toRecord(row: AgreementRecordRow): AgreementRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    serviceName: row.service_name,
    action: row.action,
    termsVersion: row.terms_version,
    actor: row.actor,
    actorEmail: row.actor_email,
    ip: row.ip,
    userAgent: row.user_agent,
    reason: row.reason,
    recordedAt: row.recorded_at,
  };
}

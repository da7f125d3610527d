import { Inject, Injectable } from '@nestjs/common';
import { Customer, Organization, OrganizationServiceStatusRecord, ServiceStatus } from '@org-mgmt/contracts';
import { DATABASE, Knex } from '@org-mgmt/runtime';
import { effectiveFlags } from '../features/effective-flags';

interface OrganizationRow {
  id: string;
  company_name: string;
  display_name: string | null;
  business_vertical_id: Organization['businessVerticalId'];
  metadata: Record<string, unknown>;
  interests: string[];
  feature_overrides: Record<string, boolean>;
  service_status: ServiceStatus;
  last_service_status_changed: number | null;
  platform_email: string | null;
  suspend_on_quota_exceeded: boolean;
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
  /** The plan's default flags (from org_plan_features); null before any subscription. */
  plan_features: string[] | null;
}

interface StatusRecordRow {
  id: string;
  status: ServiceStatus;
  previous_status: ServiceStatus | null;
  suspension_type: OrganizationServiceStatusRecord['suspensionType'];
  timestamp: number;
  reason: string;
  changed_by: string;
  is_current: boolean;
}

interface CustomerRow {
  id: string;
  org_id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  job_title: string | null;
  created_at: number;
  updated_at: number;
}

/** Company names are unique regardless of case and spacing. */
export function companyNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

export interface NewOrganization {
  id: string;
  companyName: string;
  platformEmail: string | null;
  businessVerticalId: Organization['businessVerticalId'];
  displayName: string | null;
  metadata: Record<string, unknown>;
  now: number;
}

export type OrganizationChanges = Partial<
  Pick<
    Organization,
    | 'companyName'
    | 'displayName'
    | 'businessVerticalId'
    | 'interests'
    | 'metadata'
    | 'platformEmail'
    | 'featureOverrides'
    | 'policy'
  >
>;

export type NewOwner = { email: string } & Partial<Pick<Customer, 'firstName' | 'lastName' | 'phone' | 'jobTitle'>>;

type Db = Knex | Knex.Transaction;

/** Owns the organizations and customers tables: every write to either goes through here. */
@Injectable()
export class OrganizationRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  /** Inside a transaction, pass it: a second pool connection per transaction can starve the pool under load. */
  async isNameTaken(name: string, exceptOrgId?: string, db: Db = this.db): Promise<boolean> {
    const query = db('organizations').where({ company_name_key: companyNameKey(name) });
    if (exceptOrgId) query.whereNot({ id: exceptOrgId });
    return Boolean(await query.first('id'));
  }

  async exists(orgId: string, db: Db = this.db): Promise<boolean> {
    return Boolean(await db('organizations').where({ id: orgId }).first('id'));
  }

  async find(orgId: string, db: Db = this.db): Promise<Organization | null> {
    const row: OrganizationRow | undefined = await db('organizations')
      .leftJoin('org_plan_features', 'org_plan_features.org_id', 'organizations.id')
      .where('organizations.id', orgId)
      .first('organizations.*', 'org_plan_features.features as plan_features');
    if (!row) return null;
    const history: StatusRecordRow[] = await db('service_status_records').where({ org_id: orgId }).orderBy('seq');
    return toOrganization(row, history);
  }

  async lockForUpdate(trx: Knex.Transaction, orgId: string): Promise<boolean> {
    return Boolean(await trx('organizations').where({ id: orgId }).forUpdate().first('id'));
  }

  async insert(trx: Knex.Transaction, org: NewOrganization): Promise<void> {
    await trx('organizations').insert({
      id: org.id,
      company_name: org.companyName,
      company_name_key: companyNameKey(org.companyName),
      display_name: org.displayName,
      business_vertical_id: org.businessVerticalId,
      metadata: JSON.stringify(org.metadata),
      platform_email: org.platformEmail,
      service_status: 'ACTIVE',
      last_service_status_changed: org.now,
      created_at: org.now,
      updated_at: org.now,
    });
  }

  async update(trx: Knex.Transaction, orgId: string, changes: OrganizationChanges, now: number): Promise<void> {
    const row: Record<string, unknown> = { updated_at: now };
    if (changes.companyName !== undefined) {
      row.company_name = changes.companyName;
      row.company_name_key = companyNameKey(changes.companyName);
    }
    if (changes.displayName !== undefined) row.display_name = changes.displayName;
    if (changes.businessVerticalId !== undefined) row.business_vertical_id = changes.businessVerticalId;
    if (changes.interests !== undefined) row.interests = JSON.stringify(changes.interests);
    if (changes.metadata !== undefined) row.metadata = JSON.stringify(changes.metadata);
    if (changes.platformEmail !== undefined) row.platform_email = changes.platformEmail;
    if (changes.featureOverrides !== undefined) row.feature_overrides = JSON.stringify(changes.featureOverrides);
    if (changes.policy !== undefined) row.suspend_on_quota_exceeded = changes.policy.suspendOnQuotaExceeded;
    await trx('organizations').where({ id: orgId }).update(row);
  }

  /** Keeps the org row's status fields in step with the status record just appended. */
  async setServiceStatus(trx: Knex.Transaction, orgId: string, status: ServiceStatus, at: number): Promise<void> {
    await trx('organizations')
      .where({ id: orgId })
      .update({ service_status: status, last_service_status_changed: at, updated_at: at });
  }

  async markDeleted(trx: Knex.Transaction, orgId: string, now: number): Promise<void> {
    await trx('organizations').where({ id: orgId }).update({ deleted_at: now, updated_at: now });
  }

  /** Deletes the owner (and so the address book), clears personal fields and frees the company name. */
  async purgePersonalData(trx: Knex.Transaction, orgId: string, now: number): Promise<void> {
    await trx('customers').where({ org_id: orgId }).delete();
    await trx('organizations')
      .where({ id: orgId })
      .update({
        company_name_key: `deleted:${orgId}`,
        display_name: null,
        platform_email: null,
        metadata: JSON.stringify({}),
        interests: JSON.stringify([]),
        updated_at: now,
      });
  }

  /** The service status of each org that exists, by id. */
  async serviceStatuses(orgIds: readonly string[]): Promise<Map<string, ServiceStatus>> {
    const rows: { id: string; service_status: ServiceStatus }[] = await this.db('organizations')
      .whereIn('id', [...orgIds])
      .select('id', 'service_status');
    return new Map(rows.map((r) => [r.id, r.service_status]));
  }

  async findCustomer(orgId: string, db: Db = this.db): Promise<Customer | null> {
    const row: CustomerRow | undefined = await db('customers').where({ org_id: orgId }).first();
    return row ? toCustomer(row) : null;
  }

  async insertCustomer(trx: Knex.Transaction, customer: Customer): Promise<void> {
    await trx('customers').insert({
      id: customer.id,
      org_id: customer.orgId,
      email: customer.email,
      first_name: customer.firstName,
      last_name: customer.lastName,
      phone: customer.phone,
      job_title: customer.jobTitle,
      created_at: customer.createdAt,
      updated_at: customer.updatedAt,
    });
  }

  async updateCustomer(
    trx: Knex.Transaction,
    orgId: string,
    changes: Partial<Pick<Customer, 'firstName' | 'lastName' | 'phone' | 'jobTitle'>>,
    now: number,
  ): Promise<Customer | null> {
    const row: Record<string, unknown> = { updated_at: now };
    if (changes.firstName !== undefined) row.first_name = changes.firstName;
    if (changes.lastName !== undefined) row.last_name = changes.lastName;
    if (changes.phone !== undefined) row.phone = changes.phone;
    if (changes.jobTitle !== undefined) row.job_title = changes.jobTitle;
    const [updated]: CustomerRow[] = await trx('customers').where({ org_id: orgId }).update(row).returning('*');
    return updated ? toCustomer(updated) : null;
  }

  /** The owner record stays (its id, its address book) and now names the new owner. */
  async replaceOwner(trx: Knex.Transaction, customerId: string, owner: NewOwner, now: number): Promise<void> {
    await trx('customers')
      .where({ id: customerId })
      .update({
        email: owner.email,
        first_name: owner.firstName ?? null,
        last_name: owner.lastName ?? null,
        phone: owner.phone ?? null,
        job_title: owner.jobTitle ?? null,
        updated_at: now,
      });
  }
}

function toOrganization(row: OrganizationRow, history: StatusRecordRow[]): Organization {
  const overrides = row.feature_overrides;
  return {
    id: row.id,
    companyName: row.company_name,
    businessVerticalId: row.business_vertical_id,
    metadata: row.metadata,
    serviceStatus: row.service_status,
    lastServiceStatusChanged: row.last_service_status_changed,
    serviceStatusHistory: history.length ? history.map(toStatusRecord) : null,
    platformEmail: row.platform_email,
    displayName: row.display_name,
    interests: row.interests,
    features: effectiveFlags(row.plan_features ?? [], overrides),
    featureOverrides: overrides,
    policy: { suspendOnQuotaExceeded: row.suspend_on_quota_exceeded },
    deletedAt: row.deleted_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toStatusRecord(row: StatusRecordRow): OrganizationServiceStatusRecord {
  return {
    id: row.id,
    status: row.status,
    previousStatus: row.previous_status,
    suspensionType: row.suspension_type,
    timestamp: row.timestamp,
    reason: row.reason,
    changedBy: row.changed_by,
    isCurrent: row.is_current,
  };
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    jobTitle: row.job_title,
    role: 'admin',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

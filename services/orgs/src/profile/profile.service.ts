import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  Customer,
  CustomerUpdate,
  isOperator,
  newId,
  OrgCreatedEvent,
  Organization,
  OrgUpdatedEvent,
  Principal,
  Profile,
  ProfileUpdate,
  RegistrationPlan,
} from '@org-mgmt/contracts';
import { AppConfig, CLOCK, Clock, CONFIG, DATABASE, isUniqueViolation, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { AddressRepository } from '../addresses/address.repository';
import { applyOverrideChanges } from '../features/effective-flags';
import { notFound } from '../addresses/address.service';
import { OrgStatusRepository } from '../org-status/org-status.repository';
import { OrganizationChanges, OrganizationRepository } from './organization.repository';

export interface OrganizationRegistration {
  id?: string;
  companyName: string;
  platformEmail: string | null;
  ownerEmail: string;
  businessVerticalId?: Organization['businessVerticalId'];
  displayName?: string | null;
  metadata?: Record<string, unknown>;
  /** Carried on org.created for subscriptions to start. */
  plan?: RegistrationPlan;
}

@Injectable()
export class ProfileService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly organizations: OrganizationRepository,
    private readonly addresses: AddressRepository,
    private readonly statusRecords: OrgStatusRepository,
  ) {}

  async checkName(orgName: string) {
    return { orgName, available: !(await this.organizations.isNameTaken(orgName)) };
  }

  async get(orgId: string): Promise<Profile> {
    const [company, customer, address] = await Promise.all([
      this.organizations.find(orgId),
      this.organizations.findCustomer(orgId),
      this.addresses.primary(orgId),
    ]);
    if (!company) throw notFound(orgId);
    return { company, customer, address };
  }

  async update(orgId: string, input: ProfileUpdate, principal: Principal): Promise<Profile> {
    for (const field of ['features', 'policy'] as const) {
      if (input[field] !== undefined && !isOperator(principal, this.config.ROOT_ORG_ID)) {
        throw new AppError('FORBIDDEN', `Only root roles may change ${field}`, {
          fields: [{ path: `body.${field}`, message: 'root roles only' }],
        });
      }
    }
    await nameConflictsAsAppErrors(() =>
      this.db.transaction(async (trx) => {
        const current = await this.lockedOrganization(trx, orgId);
        if (input.companyName !== undefined && (await this.organizations.isNameTaken(input.companyName, orgId, trx))) {
          throw nameTaken();
        }
        const { features, ...fields } = input;
        const changes: OrganizationChanges = { ...fields };
        if (features) changes.featureOverrides = applyOverrideChanges(current.featureOverrides, features);
        const now = this.clock.now();
        await this.organizations.update(trx, orgId, changes, now);
        await this.outbox.add(trx, OrgUpdatedEvent, orgId, {
          orgId,
          changed: Object.keys(input).sort(),
          updatedAt: now,
          changedBy: principal.sub,
        });
      }),
    );
    return this.get(orgId);
  }

  async updateCustomer(orgId: string, input: CustomerUpdate): Promise<Customer> {
    return this.db.transaction(async (trx) => {
      await this.lockedOrganization(trx, orgId);
      const updated = await this.organizations.updateCustomer(trx, orgId, input, this.clock.now());
      if (!updated) throw new AppError('NOT_FOUND', `Organisation ${orgId} has no owner`);
      return updated;
    });
  }

  /**
   * Creates an organisation, its first ACTIVE status record and its owner; emits org.created.
   * `alsoInTransaction` runs first in the same transaction (consuming a pre-approved signup).
   */
  async register(
    input: OrganizationRegistration,
    changedBy: string,
    alsoInTransaction?: (trx: Knex.Transaction, orgId: string) => Promise<void>,
  ): Promise<Organization> {
    const orgId = input.id ?? newId('org');
    const now = this.clock.now();
    await nameConflictsAsAppErrors(() =>
      this.db.transaction(async (trx) => {
        await alsoInTransaction?.(trx, orgId);
        if (await this.organizations.isNameTaken(input.companyName, undefined, trx)) throw nameTaken();
        await this.organizations.insert(trx, {
          id: orgId,
          companyName: input.companyName,
          platformEmail: input.platformEmail,
          businessVerticalId: input.businessVerticalId ?? null,
          displayName: input.displayName ?? null,
          metadata: input.metadata ?? {},
          now,
        });
        await this.statusRecords.append(trx, orgId, {
          id: newId('statusRecord'),
          status: 'ACTIVE',
          previousStatus: null,
          suspensionType: null,
          timestamp: now,
          reason: 'Organisation created',
          changedBy,
          isCurrent: true,
        });
        await this.organizations.insertCustomer(trx, {
          id: newId('customer'),
          orgId,
          email: input.ownerEmail,
          firstName: null,
          lastName: null,
          phone: null,
          jobTitle: null,
          role: 'admin',
          createdAt: now,
          updatedAt: now,
        });
        await this.outbox.add(trx, OrgCreatedEvent, orgId, {
          orgId,
          companyName: input.companyName,
          platformEmail: input.platformEmail,
          createdAt: now,
          createdBy: changedBy,
          ...(input.plan ? { plan: input.plan } : {}),
        });
      }),
    );
    return (await this.organizations.find(orgId))!;
  }

  /** The root org exists from the first start; a second replica racing the first finds it made. */
  async ensureRootOrg(): Promise<void> {
    const { ROOT_ORG_ID: id, ROOT_ORG_NAME: companyName, ROOT_ORG_EMAIL: email } = this.config;
    if (await this.organizations.exists(id)) return;
    try {
      await this.register(
        { id, companyName, platformEmail: email ?? null, ownerEmail: email ?? 'operator@localhost' },
        'system',
      );
    } catch (err) {
      if (!(await this.organizations.exists(id))) throw err;
    }
  }

  private async lockedOrganization(trx: Knex.Transaction, orgId: string): Promise<Organization> {
    if (!(await this.organizations.lockForUpdate(trx, orgId))) throw notFound(orgId);
    return (await this.organizations.find(orgId, trx))!;
  }
}

function nameTaken(): AppError {
  return new AppError('CONFLICT', 'Another organisation already uses this company name', {
    fields: [{ path: 'body.companyName', message: 'already taken' }],
  });
}

/** Two writers racing for one name: the unique index decides, the loser gets the same 409. */
async function nameConflictsAsAppErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw isUniqueViolation(err) ? nameTaken() : err;
  }
}

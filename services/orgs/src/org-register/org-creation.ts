import { Inject, Injectable } from '@nestjs/common';
import { newId, OrgCreatedEvent, Organization, RegistrationPlan } from '@org-mgmt/contracts';
import { AppConfig, CLOCK, Clock, CONFIG, DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { OrgStatusRepository } from '../org-status/org-status.repository';
import { nameConflictsAsAppErrors, nameTaken } from '../profile/company-name';
import { OrganizationRepository } from '../profile/organization.repository';

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

/** How an organisation comes to exist: by registration (orgs.org.register) and, once, the root org at start. */
@Injectable()
export class OrgCreation {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly organizations: OrganizationRepository,
    private readonly statusRecords: OrgStatusRepository,
  ) {}

  /**
   * Creates an organisation, its first ACTIVE status record and its owner; emits org.created.
   * `alsoInTransaction` runs first in the same transaction (consuming a pre-approved signup).
   */
  async create(
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
      await this.create(
        { id, companyName, platformEmail: email ?? null, ownerEmail: email ?? 'operator@localhost' },
        'system',
      );
    } catch (err) {
      if (!(await this.organizations.exists(id))) throw err;
    }
  }
}

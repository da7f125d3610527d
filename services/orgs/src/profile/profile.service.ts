import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  Customer,
  CustomerUpdate,
  isOperator,
  Organization,
  OrgUpdatedEvent,
  Principal,
  Profile,
  ProfileUpdate,
} from '@org-mgmt/contracts';
import { AppConfig, CLOCK, Clock, CONFIG, DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { AddressRepository } from '../addresses/address.repository';
import { applyOverrideChanges } from '../features/effective-flags';
import { nameConflictsAsAppErrors, nameTaken } from './company-name';
import { OrganizationChanges, OrganizationRepository } from './organization.repository';
import { orgNotFound } from '../org-not-found';

@Injectable()
export class ProfileService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly organizations: OrganizationRepository,
    private readonly addresses: AddressRepository,
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
    if (!company) throw orgNotFound(orgId);
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

  private async lockedOrganization(trx: Knex.Transaction, orgId: string): Promise<Organization> {
    if (!(await this.organizations.lockForUpdate(trx, orgId))) throw orgNotFound(orgId);
    return (await this.organizations.find(orgId, trx))!;
  }
}

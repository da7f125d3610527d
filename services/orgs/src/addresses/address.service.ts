import { Inject, Injectable } from '@nestjs/common';
import { Address, AddressCreate, AppError, newId } from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, Knex } from '@org-mgmt/runtime';
import { OrganizationRepository } from '../profile/organization.repository';
import { AddressPageRequest, AddressRepository, newAddressFields } from './address.repository';
import { orgNotFound } from '../org-not-found';

@Injectable()
export class AddressService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly addresses: AddressRepository,
    private readonly organizations: OrganizationRepository,
  ) {}

  async list(orgId: string, request: AddressPageRequest) {
    await this.requireOrg(orgId);
    return this.addresses.page(orgId, request);
  }

  /** Addresses belong to the org's owner; an org without an owner has no address book. */
  async create(orgId: string, input: AddressCreate): Promise<Address> {
    return this.db.transaction(async (trx) => {
      if (!(await this.organizations.lockForUpdate(trx, orgId))) throw orgNotFound(orgId);
      const owner = await this.organizations.findCustomer(orgId, trx);
      if (!owner) throw new AppError('CONFLICT', 'This organisation has no owner to hold an address book');
      const now = this.clock.now();
      const address: Address = {
        id: newId('address'),
        orgId,
        customerId: owner.id,
        ...newAddressFields(input),
        createdAt: now,
        updatedAt: now,
      };
      await this.addresses.insert(trx, address);
      return address;
    });
  }

  private async requireOrg(orgId: string): Promise<void> {
    if (!(await this.organizations.exists(orgId))) throw orgNotFound(orgId);
  }
}

import { AppError } from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, Knex } from '@org-mgmt/runtime';
import { OrganizationRepository } from '../profile/organization.repository';
import { TransferParticipant, transferParticipantHandler, TransferTable } from '@org-mgmt/transfer-participant';

/**
 * Addresses as a transferable datatype: in the target org they belong to its owner record and are
 * never its default (the target keeps its own defaults).
 */
function addressesTable(organizations: OrganizationRepository): TransferTable {
  return {
    datatype: 'addresses',
    table: 'addresses',
    orderColumn: 'seq',
    generatedColumns: ['seq'],
    async targetValues({ trx, targetOrgId }) {
      const owner = await organizations.findCustomer(targetOrgId, trx);
      if (!owner) throw new AppError('CONFLICT', `Organisation ${targetOrgId} has no owner to hold an address book`);
      return { customer_id: owner.id, is_default: false };
    },
  };
}

export const orgsTransferParticipantProvider = {
  provide: TransferParticipant,
  useFactory: (db: Knex, clock: Clock, organizations: OrganizationRepository) =>
    new TransferParticipant(db, [addressesTable(organizations)], clock),
  inject: [DATABASE, CLOCK, OrganizationRepository],
};

export const AddressesTransferHandler = transferParticipantHandler(['addresses']);

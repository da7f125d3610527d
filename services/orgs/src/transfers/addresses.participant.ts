import { AppError } from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, Knex } from '@org-mgmt/runtime';
import { TransferParticipant, transferParticipantHandler, TransferTable } from '@org-mgmt/transfer-participant';

/**
 * Addresses as a transferable datatype: in the target org they belong to its owner record and are
 * never its default (the target keeps its own defaults).
 */
const addressesTable: TransferTable = {
  datatype: 'addresses',
  table: 'addresses',
  orderColumn: 'seq',
  generatedColumns: ['seq'],
  async targetValues({ trx, targetOrgId }) {
    const owner: { id: string } | undefined = await trx('customers').where({ org_id: targetOrgId }).first('id');
    if (!owner) throw new AppError('CONFLICT', `Organisation ${targetOrgId} has no owner to hold an address book`);
    return { customer_id: owner.id, is_default: false };
  },
};

export const orgsTransferParticipantProvider = {
  provide: TransferParticipant,
  useFactory: (db: Knex, clock: Clock) => new TransferParticipant(db, [addressesTable], clock),
  inject: [DATABASE, CLOCK],
};

export const AddressesTransferHandler = transferParticipantHandler(['addresses']);

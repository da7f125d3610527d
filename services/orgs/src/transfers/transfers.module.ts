import { Module } from '@nestjs/common';
import { OrganizationRepository } from '../profile/organization.repository';
import { AddressesTransferHandler, orgsTransferParticipantProvider } from './addresses.participant';
import { OwnerChangeHandler } from './owner-change.handler';
import { OwnerChangeService } from './owner-change.service';
import { OwnershipRepository } from './ownership.repository';

/** The orgs side of transfers: owner and primary-email changes, org lookup, addresses as a participant. */
@Module({
  controllers: [OwnerChangeHandler, AddressesTransferHandler],
  providers: [OwnerChangeService, OrganizationRepository, OwnershipRepository, orgsTransferParticipantProvider],
})
export class OrgsTransfersModule {}

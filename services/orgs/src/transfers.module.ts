import { Module } from '@nestjs/common';
import { IdempotencyKeys } from '@org-mgmt/runtime';
import { OrganizationRepository } from './profile/organization.repository';
import { AddressesTransferHandler, orgsTransferParticipantProvider } from './addresses/addresses.participant';
import { OwnershipHandler } from './ownership/ownership.handler';
import { OwnershipRepository } from './ownership/ownership.repository';
import { OwnershipService } from './ownership/ownership.service';

/** What the transfers service calls here: ownership (owner and primary-email changes, org lookup) and addresses as a participant. */
@Module({
  controllers: [OwnershipHandler, AddressesTransferHandler],
  providers: [
    OwnershipService,
    OrganizationRepository,
    OwnershipRepository,
    IdempotencyKeys,
    orgsTransferParticipantProvider,
  ],
})
export class OrgsTransfersModule {}

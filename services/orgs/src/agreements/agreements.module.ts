import { Module } from '@nestjs/common';
import { OrganizationRepository } from '../profile/organization.repository';
import { AddonTermsClient } from './addon-terms.client';
import { AgreementHandler } from './agreement.handler';
import { AgreementRepository } from './agreement.repository';
import { AgreementService } from './agreement.service';

/** Add-on agreements: append-only acceptance and revocation records of add-ons' own terms. */
@Module({
  controllers: [AgreementHandler],
  providers: [AgreementRepository, AgreementService, AddonTermsClient, OrganizationRepository],
})
export class AgreementsModule {}

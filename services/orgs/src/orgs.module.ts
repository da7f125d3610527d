import { Module } from '@nestjs/common';
import { AddressHandler } from './addresses/address.handler';
import { AddressRepository } from './addresses/address.repository';
import { AddressService } from './addresses/address.service';
import { AgreementsModule } from './agreements/agreements.module';
import { OrganizationRepository } from './profile/organization.repository';
import { ProfileHandler } from './profile/profile.handler';
import { ProfileService } from './profile/profile.service';
import { RegistrationHandler } from './registration/registration.handler';

@Module({
  imports: [AgreementsModule],
  controllers: [ProfileHandler, AddressHandler, RegistrationHandler],
  providers: [OrganizationRepository, ProfileService, AddressRepository, AddressService],
})
export class OrgsModule {}

import { Module } from '@nestjs/common';
import { AddressHandler } from './addresses/address.handler';
import { AddressRepository } from './addresses/address.repository';
import { AddressService } from './addresses/address.service';
import { OrganizationRepository } from './profile/organization.repository';
import { ProfileHandler } from './profile/profile.handler';
import { ProfileService } from './profile/profile.service';
import { RegistrationHandler } from './registration/registration.handler';
import { OrgsTransfersModule } from './transfers/transfers.module';

@Module({
  imports: [OrgsTransfersModule],
  controllers: [ProfileHandler, AddressHandler, RegistrationHandler],
  providers: [OrganizationRepository, ProfileService, AddressRepository, AddressService],
})
export class OrgsModule {}

import { Module } from '@nestjs/common';
import { AddressHandler } from './addresses/address.handler';
import { AddressRepository } from './addresses/address.repository';
import { AddressService } from './addresses/address.service';
import { FeatureFlagsService } from './features/feature-flags.service';
import { PlanFeaturesRepository } from './features/plan-features.repository';
import { SubscriptionChangesConsumer } from './features/subscription-changes.consumer';
import { OrganizationRepository } from './profile/organization.repository';
import { ProfileHandler } from './profile/profile.handler';
import { ProfileService } from './profile/profile.service';
import { RegistrationHandler } from './registration/registration.handler';

@Module({
  controllers: [ProfileHandler, AddressHandler, RegistrationHandler],
  providers: [
    OrganizationRepository,
    ProfileService,
    AddressRepository,
    AddressService,
    PlanFeaturesRepository,
    FeatureFlagsService,
    SubscriptionChangesConsumer,
  ],
})
export class OrgsModule {}

import { Module } from '@nestjs/common';
import { EventConsumers } from '@org-mgmt/runtime';
import { AccountHandler } from './account/account.handler';
import { AccountService } from './account/account.service';
import { CancellationRepository } from './account/cancellation.repository';
import { OrgDeleteHandler } from './org-delete/org-delete.handler';
import { OrgDeleteRepository } from './org-delete/org-delete.repository';
import { OrgDeleteService } from './org-delete/org-delete.service';
import { RetentionPurge } from './org-delete/retention-purge';
import { TeardownAcknowledgementsConsumer } from './org-delete/teardown-acknowledgements.consumer';
import { AddressHandler } from './addresses/address.handler';
import { AddressRepository } from './addresses/address.repository';
import { AddressService } from './addresses/address.service';
import { FeatureFlagsService } from './features/feature-flags.service';
import { FeaturesHandler } from './features/features.handler';
import { PlanFeaturesRepository } from './features/plan-features.repository';
import { SubscriptionChangesConsumer } from './features/subscription-changes.consumer';
import { AgreementsModule } from './agreements/agreements.module';
import { OrganizationRepository } from './profile/organization.repository';
import { ProfileHandler } from './profile/profile.handler';
import { ProfileService } from './profile/profile.service';
import { OrgCreation } from './org-register/org-creation';
import { OrgRegisterHandler } from './org-register/org-register.handler';
import { OrgRegisterService } from './org-register/org-register.service';
import { PlanStartClient } from './org-register/plan-start.client';
import { SignupHandler } from './signups/signup.handler';
import { SignupRepository } from './signups/signup.repository';
import { SignupService } from './signups/signup.service';
import { ValidationRateLimit } from './signups/validation-rate-limit';
import { ValidationWindowRepository } from './signups/validation-window.repository';
import { OrgStateService } from './org-status/org-state.service';
import { OrgStatusHandler } from './org-status/org-status.handler';
import { OrgStatusRepository } from './org-status/org-status.repository';
import { OrgStatusService } from './org-status/org-status.service';
import { OrgStatusEvents } from './org-status/org-status.events';
import { OrgsTransfersModule } from './transfers.module';

@Module({
  imports: [AgreementsModule, OrgsTransfersModule],
  controllers: [
    ProfileHandler,
    AddressHandler,
    OrgRegisterHandler,
    OrgStatusHandler,
    AccountHandler,
    SignupHandler,
    OrgDeleteHandler,
    FeaturesHandler,
  ],
  providers: [
    OrganizationRepository,
    ProfileService,
    AddressRepository,
    AddressService,
    EventConsumers,
    OrgStatusRepository,
    OrgStatusService,
    OrgStateService,
    OrgStatusEvents,
    CancellationRepository,
    AccountService,
    SignupRepository,
    SignupService,
    ValidationRateLimit,
    ValidationWindowRepository,
    OrgRegisterService,
    OrgCreation,
    PlanStartClient,
    OrgDeleteRepository,
    OrgDeleteService,
    RetentionPurge,
    TeardownAcknowledgementsConsumer,
    PlanFeaturesRepository,
    FeatureFlagsService,
    SubscriptionChangesConsumer,
  ],
})
export class OrgsModule {}

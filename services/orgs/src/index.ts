import { ServiceDefinition } from '@org-mgmt/runtime';
import { orgsMigrations } from '../migrations';
import { FeatureFlagsService } from './features/feature-flags.service';
import { SubscriptionChangesConsumer } from './features/subscription-changes.consumer';
import { OrgsModule } from './orgs.module';
import { RetentionPurge } from './org-delete/retention-purge';
import { TeardownAcknowledgementsConsumer } from './org-delete/teardown-acknowledgements.consumer';
import { ProfileService } from './profile/profile.service';
import { OrgStatusEvents } from './org-status/org-status.events';

export { FeatureFlagsService, ProfileService, RetentionPurge };

export const orgsService: ServiceDefinition = {
  name: 'orgs',
  module: OrgsModule,
  migrations: orgsMigrations,
  async onStarted(app) {
    await app.get(ProfileService).ensureRootOrg();
    await app.get(OrgStatusEvents).start();
    await app.get(SubscriptionChangesConsumer).start();
    await app.get(TeardownAcknowledgementsConsumer).start();
    app.get(RetentionPurge).startSchedule();
  },
};

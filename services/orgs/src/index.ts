import { ServiceDefinition } from '@org-mgmt/runtime';
import { orgsMigrations } from '../migrations';
import { FeatureFlagsService } from './features/feature-flags.service';
import { SubscriptionChangesConsumer } from './features/subscription-changes.consumer';
import { OrgsModule } from './orgs.module';
import { RetentionPurge } from './org-delete/retention-purge';
import { TeardownAcknowledgementsConsumer } from './org-delete/teardown-acknowledgements.consumer';
import { OrgCreation } from './org-register/org-creation';
import { OrgStatusEvents } from './org-status/org-status.events';

export { FeatureFlagsService, RetentionPurge };

export const orgsService: ServiceDefinition = {
  name: 'orgs',
  module: OrgsModule,
  migrations: orgsMigrations,
  async onStarted(app) {
    await app.get(OrgCreation).ensureRootOrg();
    await app.get(OrgStatusEvents).start();
    await app.get(SubscriptionChangesConsumer).start();
    await app.get(TeardownAcknowledgementsConsumer).start();
    app.get(RetentionPurge).startSchedule();
  },
};

import { ServiceDefinition } from '@org-mgmt/runtime';
import { subscriptionsMigrations } from '../migrations';
import { RenewalWorker } from './renew-subscriptions/renewal.worker';
import { SubscriptionsModule } from './subscriptions.module';

export { RenewalWorker };

export const subscriptionsService: ServiceDefinition = {
  name: 'subscriptions',
  module: SubscriptionsModule,
  migrations: subscriptionsMigrations,
};

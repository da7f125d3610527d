import { ServiceDefinition } from '@org-mgmt/runtime';
import { subscriptionsMigrations } from '../migrations';
import { SubscriptionsModule } from './subscriptions.module';

export const subscriptionsService: ServiceDefinition = {
  name: 'subscriptions',
  module: SubscriptionsModule,
  migrations: subscriptionsMigrations,
};

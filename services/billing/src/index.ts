import { ServiceDefinition } from '@org-mgmt/runtime';
import { billingMigrations } from '../migrations';
import { BillingModule } from './billing.module';

export const billingService: ServiceDefinition = {
  name: 'billing',
  module: BillingModule,
  migrations: billingMigrations,
};

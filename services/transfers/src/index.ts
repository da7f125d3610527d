import { ServiceDefinition } from '@org-mgmt/runtime';
import { transfersMigrations } from '../migrations';
import { TransfersModule } from './transfers.module';

export const transfersService: ServiceDefinition = {
  name: 'transfers',
  module: TransfersModule,
  migrations: transfersMigrations,
};

import { ServiceDefinition } from '@org-mgmt/runtime';
import { transfersMigrations } from '../migrations';
import { TransferWorker } from './jobs/transfer-worker';
import { TransfersModule } from './transfers.module';

export { TransferWorker };
export type { BatchCommitted } from './jobs/transfer-worker';

export const transfersService: ServiceDefinition = {
  name: 'transfers',
  module: TransfersModule,
  migrations: transfersMigrations,
  async onStarted(app) {
    app.get(TransferWorker).start();
  },
};

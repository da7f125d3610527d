import { ServiceDefinition } from '@org-mgmt/runtime';
import { transfersMigrations } from '../migrations';
import { JobRunner } from './jobs/job.runner';
import { JobScheduler } from './jobs/job.scheduler';
import { TransfersModule } from './transfers.module';

export { JobRunner, JobScheduler };
export type { BatchCommitted } from './jobs/job.runner';

export const transfersService: ServiceDefinition = {
  name: 'transfers',
  module: TransfersModule,
  migrations: transfersMigrations,
  async onStarted(app) {
    app.get(JobScheduler).start();
  },
};

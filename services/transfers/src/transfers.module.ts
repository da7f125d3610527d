import { Module } from '@nestjs/common';
import { JobHandler } from './jobs/job.handler';
import { JobRepository } from './jobs/job.repository';
import { JobService } from './jobs/job.service';
import { TransferWorker } from './jobs/transfer-worker';
import { OrgChangeHandler } from './ownership/org-change.handler';
import { OrgChangeService } from './ownership/org-change.service';
import { recordStoreParticipantProvider, RecordStoreTransferHandler } from './record-store/record-store.participant';

/** Ownership and primary-email changes, asset transfer jobs and their worker, the record-store participant. */
@Module({
  controllers: [OrgChangeHandler, JobHandler, RecordStoreTransferHandler],
  providers: [OrgChangeService, JobRepository, JobService, TransferWorker, recordStoreParticipantProvider],
})
export class TransfersModule {}

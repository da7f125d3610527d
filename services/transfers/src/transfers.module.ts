import { Module } from '@nestjs/common';
import { JobLockRepository } from './jobs/job-lock.repository';
import { JobHandler } from './jobs/job.handler';
import { JobTransitions } from './jobs/job-transitions';
import { JobRepository } from './jobs/job.repository';
import { JobRunner } from './jobs/job.runner';
import { JobScheduler } from './jobs/job.scheduler';
import { JobService } from './jobs/job.service';
import { ParticipantClient } from './jobs/participant.client';
import { OrgChangeAuditRepository } from './org-changes/org-change-audit.repository';
import { OrgChangeHandler } from './org-changes/org-change.handler';
import { OrgChangeService } from './org-changes/org-change.service';
import { recordStoreParticipantProvider, RecordStoreTransferHandler } from './record-store/record-store.participant';

/** Ownership and primary-email changes, asset transfer jobs and their scheduler, the record-store participant. */
@Module({
  controllers: [OrgChangeHandler, JobHandler, RecordStoreTransferHandler],
  providers: [
    OrgChangeAuditRepository,
    OrgChangeService,
    JobRepository,
    JobLockRepository,
    JobTransitions,
    ParticipantClient,
    JobRunner,
    JobScheduler,
    JobService,
    recordStoreParticipantProvider,
  ],
})
export class TransfersModule {}

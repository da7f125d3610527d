import { Module } from '@nestjs/common';
import { CancelJobHandler } from './cancel-job/cancel-job.handler';
import { CancelJobService } from './cancel-job/cancel-job.service';
import { CreateJobHandler } from './create-job/create-job.handler';
import { CreateJobService } from './create-job/create-job.service';
import { JobLockRepository } from './jobs/job-lock.repository';
import { JobTransitions } from './jobs/job-transitions';
import { JobRepository } from './jobs/job.repository';
import { JobRunner } from './jobs/job.runner';
import { JobScheduler } from './jobs/job.scheduler';
import { ParticipantClient } from './jobs/participant.client';
import { OrgChangeAuditRepository } from './org-changes/org-change-audit.repository';
import { OrgChangeHandler } from './org-changes/org-change.handler';
import { OrgChangeService } from './org-changes/org-change.service';
import { ReadJobsHandler } from './read-jobs/read-jobs.handler';
import { ReadJobsService } from './read-jobs/read-jobs.service';
import { recordStoreParticipantProvider, RecordStoreTransferHandler } from './record-store/record-store.participant';
import { ResumeJobHandler } from './resume-job/resume-job.handler';
import { ResumeJobService } from './resume-job/resume-job.service';
import { RollbackJobHandler } from './rollback-job/rollback-job.handler';
import { RollbackJobService } from './rollback-job/rollback-job.service';

/**
 * Ownership and primary-email changes; asset transfer jobs (one folder per operation, the shared
 * job machinery in jobs/); the record-store participant.
 */
@Module({
  controllers: [
    OrgChangeHandler,
    CreateJobHandler,
    ReadJobsHandler,
    CancelJobHandler,
    ResumeJobHandler,
    RollbackJobHandler,
    RecordStoreTransferHandler,
  ],
  providers: [
    OrgChangeAuditRepository,
    OrgChangeService,
    JobRepository,
    JobLockRepository,
    JobTransitions,
    ParticipantClient,
    JobRunner,
    JobScheduler,
    CreateJobService,
    ReadJobsService,
    CancelJobService,
    ResumeJobService,
    RollbackJobService,
    recordStoreParticipantProvider,
  ],
})
export class TransfersModule {}

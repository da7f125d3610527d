import { Injectable } from '@nestjs/common';
import { TransferJob } from '@org-mgmt/contracts';
import { JobTransitions } from '../jobs/job-transitions';
import { JobScheduler } from '../jobs/job.scheduler';
import { ReadJobsService } from '../read-jobs/read-jobs.service';

/** Every committed batch of the job is undone, newest first. */
@Injectable()
export class RollbackJobService {
  constructor(
    private readonly transitions: JobTransitions,
    private readonly scheduler: JobScheduler,
    private readonly reads: ReadJobsService,
  ) {}

  async rollback(id: string): Promise<TransferJob> {
    await this.transitions.rollback(id);
    this.scheduler.kick();
    return this.reads.get(id);
  }
}

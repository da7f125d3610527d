import { Injectable } from '@nestjs/common';
import { TransferJob } from '@org-mgmt/contracts';
import { JobTransitions } from '../jobs/job-transitions';
import { JobScheduler } from '../jobs/job.scheduler';
import { ReadJobsService } from '../read-jobs/read-jobs.service';

/** A failed or cancelled job continues from each datatype's last committed cursor. */
@Injectable()
export class ResumeJobService {
  constructor(
    private readonly transitions: JobTransitions,
    private readonly scheduler: JobScheduler,
    private readonly reads: ReadJobsService,
  ) {}

  async resume(id: string): Promise<TransferJob> {
    await this.transitions.resume(id);
    this.scheduler.kick();
    return this.reads.get(id);
  }
}

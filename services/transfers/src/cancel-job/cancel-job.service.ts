import { Injectable } from '@nestjs/common';
import { TransferJob } from '@org-mgmt/contracts';
import { JobTransitions } from '../jobs/job-transitions';
import { ReadJobsService } from '../read-jobs/read-jobs.service';

/** A queued job stops at once, a running one after its current batch; what moved stays. */
@Injectable()
export class CancelJobService {
  constructor(
    private readonly transitions: JobTransitions,
    private readonly reads: ReadJobsService,
  ) {}

  async cancel(id: string): Promise<TransferJob> {
    await this.transitions.cancel(id);
    return this.reads.get(id);
  }
}

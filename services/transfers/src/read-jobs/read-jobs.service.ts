import { Injectable } from '@nestjs/common';
import { TransferJob } from '@org-mgmt/contracts';
import { jobNotFound } from '../jobs/job-not-found';
import { JobPageRequest, JobRepository } from '../jobs/job.repository';

/** A job as the API shows it, and the page of jobs; the operators' moves answer with `get`. */
@Injectable()
export class ReadJobsService {
  constructor(private readonly jobs: JobRepository) {}

  async get(id: string): Promise<TransferJob> {
    const job = await this.jobs.find(id);
    if (!job) throw jobNotFound(id);
    return job;
  }

  list(request: JobPageRequest) {
    return this.jobs.page(request);
  }
}

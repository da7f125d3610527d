import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorBody, TransferCompletedEvent, TransferJobStatus } from '@org-mgmt/contracts';
import { CLOCK, Clock, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { jobNotFound } from './job-not-found';
import { JobRepository, JobState } from './job.repository';

const RESUMABLE: TransferJobStatus[] = ['failed', 'cancelled'];
const ROLLBACKABLE: TransferJobStatus[] = ['failed', 'cancelled', 'completed', 'rollback_failed'];

/**
 * Owns the status of every transfer job: each move (start, complete, fail, cancel, resume, roll back
 * and how the rollback ends) is decided and written here, together with the step statuses that move
 * with it. A step's own progress (running, then completed by its last batch) is the JobRunner's.
 * Every move names the statuses it leaves, so a job someone else moved first stays as it is; the
 * operators' moves lock the job's row before they decide.
 */
@Injectable()
export class JobTransitions {
  constructor(
    private readonly jobs: JobRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  /** queued → running; false when someone else moved the job first. */
  start(job: JobState): Promise<boolean> {
    return this.jobs.start(job, this.clock.now());
  }

  /** running → completed, announcing what each datatype transferred. */
  async complete(job: JobState): Promise<void> {
    const now = this.clock.now();
    await this.jobs.transaction(async (trx) => {
      if (!(await this.jobs.finish(job.id, { from: ['running'], to: 'completed', now }, trx))) return;
      const steps = await this.jobs.steps(job.id, trx);
      await this.outbox.add(trx, TransferCompletedEvent, job.targetOrgId, {
        transferId: job.id,
        mode: job.mode,
        sourceOrgId: job.sourceOrgId,
        targetOrgId: job.targetOrgId,
        datatypes: steps.map((s) => ({ datatype: s.datatype, transferred: s.transferred })),
        requestedBy: job.requestedBy,
        completedAt: now,
      });
    });
  }

  /** running → failed, with the step at `position` failed by the same error. */
  async fail(jobId: string, position: number, error: ErrorBody): Promise<void> {
    const now = this.clock.now();
    await this.jobs.transaction(async (trx) => {
      await this.jobs.setStepStatus({ jobId, position, status: 'failed', error }, trx);
      await this.jobs.finish(jobId, { from: ['running'], to: 'failed', now, error }, trx);
    });
  }

  /** running → cancelled once an operator asked for it, with the step at `position`; true if it stopped. */
  async cancelIfRequested(jobId: string, position: number): Promise<boolean> {
    // A plain read first: locking the row every batch would cost a commit (a WAL flush) per batch.
    if (!(await this.jobs.state(jobId))?.cancelRequested) return false;
    return this.jobs.transaction(async (trx) => {
      const job = await this.jobs.state(jobId, trx);
      if (!job?.cancelRequested) return false;
      await this.jobs.setStepStatus({ jobId, position, status: 'cancelled' }, trx);
      await this.jobs.finish(jobId, { from: ['running'], to: 'cancelled', now: this.clock.now() }, trx);
      return true;
    });
  }

  /** rolling_back → rollback_failed, with the participant's error. */
  async rollbackFailed(jobId: string, error: ErrorBody): Promise<void> {
    await this.jobs.finish(jobId, { from: ['rolling_back'], to: 'rollback_failed', now: this.clock.now(), error });
  }

  /** rolling_back → rolled_back, every step with it. */
  async rolledBack(jobId: string): Promise<void> {
    await this.jobs.transaction(async (trx) => {
      await this.jobs.markStepsRolledBack(trx, jobId);
      await this.jobs.finish(jobId, { from: ['rolling_back'], to: 'rolled_back', now: this.clock.now() }, trx);
    });
  }

  /** A queued job stops at once; a running one after its current batch. */
  async cancel(id: string): Promise<void> {
    await this.decide(id, async (job, trx, now) => {
      if (job.status === 'queued') await this.jobs.cancelQueued(trx, id, now);
      else if (job.status === 'running') await this.jobs.requestCancel(trx, id, now);
      else throw new AppError('CONFLICT', `A ${job.status} transfer cannot be cancelled`);
    });
  }

  /** failed or cancelled → queued; its unfinished steps continue from their cursors. */
  async resume(id: string): Promise<void> {
    await this.decide(id, async (job, trx, now) => {
      if (!RESUMABLE.includes(job.status)) throw new AppError('CONFLICT', `A ${job.status} transfer cannot be resumed`);
      await this.jobs.requeue(trx, id, RESUMABLE, now);
    });
  }

  /** A stopped or completed job (or a failed rollback) → rolling_back. */
  async rollback(id: string): Promise<void> {
    await this.decide(id, async (job, trx, now) => {
      if (!ROLLBACKABLE.includes(job.status))
        throw new AppError('CONFLICT', `A ${job.status} transfer cannot be rolled back`);
      await this.jobs.startRollback(trx, id, ROLLBACKABLE, now);
    });
  }

  /** Runs an operator's move on the job's locked row. */
  private decide(id: string, move: (job: JobState, trx: Knex.Transaction, now: number) => Promise<void>) {
    return this.jobs.transaction(async (trx) => {
      const job = await this.jobs.state(id, trx);
      if (!job) throw jobNotFound(id);
      await move(job, trx, this.clock.now());
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ErrorBody, TransferDatatype } from '@org-mgmt/contracts';
import { CLOCK, Clock, LOGGER, Logger } from '@org-mgmt/runtime';
import { JobTransitions } from './job-transitions';
import { JobRepository, JobState, JobStep } from './job.repository';
import { Attempt, ParticipantClient, Retrying, RunControl } from './participant.client';

export interface BatchCommitted {
  jobId: string;
  datatype: TransferDatatype;
  batchNo: number;
  transferred: number;
}

/**
 * Runs one job as far as it goes: its steps batch by batch, then completes it, or fails it; or rolls
 * it back. Its status moves through JobTransitions. Every committed batch is recorded with its cursor before the next is sent, and batch ids
 * are deterministic (job, step, batch number), so a job resumed after a crash re-sends at most its
 * last batch, which the participant answers without doing it twice.
 */
@Injectable()
export class JobRunner {
  private readonly listeners = new Set<(batch: BatchCommitted) => void>();

  constructor(
    private readonly jobs: JobRepository,
    private readonly transitions: JobTransitions,
    private readonly participants: ParticipantClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Called after each batch a job has recorded (progress logs, tests). */
  onBatchCommitted(listener: (batch: BatchCommitted) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drives the job until it ends or `control` stops running; the caller holds the job's lock. */
  async run(id: string, control: RunControl): Promise<void> {
    const job = await this.jobs.state(id);
    if (!job) return;
    if (job.status === 'rolling_back') return this.rollBack(job, control);
    if (job.status === 'queued') {
      if (!(await this.transitions.start(job))) return;
    } else if (job.status !== 'running') {
      return;
    }
    const steps = await this.jobs.steps(id);
    const datatypes = steps.map((s) => s.datatype);
    for (const step of steps) {
      if (step.status === 'completed') continue;
      if ((await this.runStep(job, step, datatypes, control)) !== 'completed') return;
    }
    await this.transitions.complete(job);
  }

  private async runStep(
    job: JobState,
    step: JobStep,
    datatypes: TransferDatatype[],
    control: RunControl,
  ): Promise<'completed' | 'stopped'> {
    await this.jobs.setStepStatus({ jobId: job.id, position: step.position, status: 'running' });
    let cursor = step.cursor;
    for (let batchNo = step.batches + 1; ; batchNo++) {
      const batchId = `${job.id}.${step.position}.${batchNo}`;
      const attempt = await this.settle(
        () =>
          this.participants.batch(
            {
              transferId: job.id,
              batchId,
              datatype: step.datatype,
              mode: job.mode,
              sourceOrgId: job.sourceOrgId,
              targetOrgId: job.targetOrgId,
              cursor,
              limit: job.batchSize,
              datatypes,
            },
            this.retrying(job.id, control),
          ),
        async () => !control.running || (await this.transitions.cancelIfRequested(job.id, step.position)),
      );
      if (!attempt) return 'stopped';
      if (attempt.kind === 'failed') {
        await this.fail(job.id, step, batchError(attempt.error, step.datatype, batchId));
        return 'stopped';
      }
      const reply = attempt.data;
      const { transferred } = reply;
      const batch = {
        jobId: job.id,
        position: step.position,
        batchNo,
        batchId,
        transferred,
        cursorAfter: reply.cursor,
      };
      await this.jobs.recordBatch(batch, reply.done, this.clock.now());
      for (const listener of this.listeners) listener({ jobId: job.id, datatype: step.datatype, batchNo, transferred });
      if (reply.done) return 'completed';
      cursor = reply.cursor;
    }
  }

  /** Sends until the participant answers or fails for good; null when `stopped` says so first. */
  private async settle<T>(
    send: () => Promise<Attempt<T>>,
    stopped: () => Promise<boolean>,
  ): Promise<Exclude<Attempt<T>, { kind: 'interrupted' }> | null> {
    for (;;) {
      if (await stopped()) return null;
      const attempt = await send();
      if (attempt.kind !== 'interrupted') return attempt;
    }
  }

  private retrying(jobId: string, control: RunControl): Retrying {
    return { control, onRetry: (error) => this.jobs.markRetrying(jobId, error, this.clock.now()) };
  }

  private async fail(jobId: string, step: JobStep, error: ErrorBody): Promise<void> {
    await this.transitions.fail(jobId, step.position, error);
    this.logger.warn({ jobId, error }, 'transfer job failed');
  }

  /** Undoes committed batches newest first; each undo is recorded before the next. */
  private async rollBack(job: JobState, control: RunControl): Promise<void> {
    const steps = new Map((await this.jobs.steps(job.id)).map((s) => [s.position, s]));
    for (const batch of await this.jobs.batchesToRollBack(job.id)) {
      const datatype = steps.get(batch.position)!.datatype;
      const attempt = await this.settle(
        () =>
          this.participants.rollback(
            { transferId: job.id, batchId: batch.batchId, datatype },
            this.retrying(job.id, control),
          ),
        () => Promise.resolve(!control.running),
      );
      if (!attempt) return;
      if (attempt.kind === 'failed') {
        await this.transitions.rollbackFailed(job.id, batchError(attempt.error, datatype, batch.batchId));
        return;
      }
      await this.jobs.recordRollback(batch, attempt.data.restored, this.clock.now());
    }
    await this.transitions.rolledBack(job.id);
  }
}

/** A participant's failure, told where it happened. */
function batchError(error: ErrorBody, datatype: TransferDatatype, batchId: string): ErrorBody {
  return { ...error, details: { datatype, batchId, cause: error.details ?? null } };
}

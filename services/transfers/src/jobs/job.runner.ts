import { Inject, Injectable } from '@nestjs/common';
import { ErrorBody, TransferCompletedEvent, TransferDatatype } from '@org-mgmt/contracts';
import { CLOCK, Clock, LOGGER, Logger, OUTBOX, Outbox } from '@org-mgmt/runtime';
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
 * it back. Every committed batch is recorded with its cursor before the next is sent, and batch ids
 * are deterministic (job, step, batch number), so a job resumed after a crash re-sends at most its
 * last batch, which the participant answers without doing it twice.
 */
@Injectable()
export class JobRunner {
  private readonly listeners = new Set<(batch: BatchCommitted) => void>();

  constructor(
    private readonly jobs: JobRepository,
    private readonly participants: ParticipantClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OUTBOX) private readonly outbox: Outbox,
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
      if (!(await this.jobs.start(job, this.clock.now()))) return;
    } else if (job.status !== 'running') {
      return;
    }
    const steps = await this.jobs.steps(id);
    const datatypes = steps.map((s) => s.datatype);
    for (const step of steps) {
      if (step.status === 'completed') continue;
      if ((await this.runStep(job, step, datatypes, control)) !== 'completed') return;
    }
    await this.complete(job);
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
        async () => !control.running || (await this.cancelIfRequested(job.id, step)),
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

  private async cancelIfRequested(jobId: string, step: JobStep): Promise<boolean> {
    // A plain read first: locking the row every batch would cost a commit (a WAL flush) per batch.
    if (!(await this.jobs.state(jobId))?.cancelRequested) return false;
    return this.jobs.transaction(async (trx) => {
      const job = await this.jobs.state(jobId, trx);
      if (!job?.cancelRequested) return false;
      await this.jobs.setStepStatus({ jobId, position: step.position, status: 'cancelled' }, trx);
      await this.jobs.finish(jobId, { from: ['running'], to: 'cancelled', now: this.clock.now() }, trx);
      return true;
    });
  }

  private async fail(jobId: string, step: JobStep, error: ErrorBody): Promise<void> {
    const now = this.clock.now();
    await this.jobs.transaction(async (trx) => {
      await this.jobs.setStepStatus({ jobId, position: step.position, status: 'failed', error }, trx);
      await this.jobs.finish(jobId, { from: ['running'], to: 'failed', now, error }, trx);
    });
    this.logger.warn({ jobId, error }, 'transfer job failed');
  }

  private async complete(job: JobState): Promise<void> {
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
        await this.jobs.finish(job.id, {
          from: ['rolling_back'],
          to: 'rollback_failed',
          now: this.clock.now(),
          error: batchError(attempt.error, datatype, batch.batchId),
        });
        return;
      }
      await this.jobs.recordRollback(batch, attempt.data.restored, this.clock.now());
    }
    await this.jobs.transaction(async (trx) => {
      await this.jobs.markStepsRolledBack(trx, job.id);
      await this.jobs.finish(job.id, { from: ['rolling_back'], to: 'rolled_back', now: this.clock.now() }, trx);
    });
  }
}

/** A participant's failure, told where it happened. */
function batchError(error: ErrorBody, datatype: TransferDatatype, batchId: string): ErrorBody {
  return { ...error, details: { datatype, batchId, cause: error.details ?? null } };
}

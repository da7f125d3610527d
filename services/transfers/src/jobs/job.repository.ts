import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorBody,
  TransferDatatype,
  TransferJob,
  TransferJobStatus,
  TransferMode,
  TransferStep,
  TransferStepStatus,
} from '@org-mgmt/contracts';
import { DATABASE, Knex, pageBySeqDesc } from '@org-mgmt/runtime';

interface JobRow {
  seq: number;
  id: string;
  mode: TransferMode;
  source_org_id: string;
  target_org_id: string;
  status: TransferJobStatus;
  batch_size: number;
  error: ErrorBody | null;
  retrying: ErrorBody | null;
  cancel_requested: boolean;
  requested_by: string;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

interface StepRow {
  job_id: string;
  position: number;
  datatype: TransferDatatype;
  status: TransferStepStatus;
  source_count: number;
  transferred: number;
  rolled_back: number;
  batches: number;
  cursor: string | null;
  error: ErrorBody | null;
}

interface BatchRow {
  job_id: string;
  position: number;
  batch_no: number;
  batch_id: string;
  transferred: number;
  cursor_after: string | null;
}

/** What the runner needs of a job to drive it. */
export interface JobState {
  id: string;
  mode: TransferMode;
  sourceOrgId: string;
  targetOrgId: string;
  status: TransferJobStatus;
  batchSize: number;
  cancelRequested: boolean;
  requestedBy: string;
  startedAt: number | null;
}

/** One datatype of a job, at its place in the job's order. */
export interface JobStep extends TransferStep {
  position: number;
}

/** A batch a participant committed for a job. */
export interface JobBatch {
  jobId: string;
  position: number;
  batchNo: number;
  batchId: string;
  transferred: number;
  cursorAfter: string | null;
}

export interface NewJob {
  id: string;
  mode: TransferMode;
  sourceOrgId: string;
  targetOrgId: string;
  batchSize: number;
  requestedBy: string;
  steps: { datatype: TransferDatatype; sourceCount: number }[];
  now: number;
}

export interface JobPageRequest {
  limit: number;
  cursor?: string;
  status?: TransferJobStatus;
  orgId?: string;
}

type Db = Knex | Knex.Transaction;

/**
 * Owns the tables transfer_jobs, transfer_job_steps and transfer_job_batches: jobs, their steps (one
 * per datatype, in order) and their committed batches. Only JobTransitions moves a job's status.
 */
@Injectable()
export class JobRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(job: NewJob): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('transfer_jobs').insert({
        id: job.id,
        mode: job.mode,
        source_org_id: job.sourceOrgId,
        target_org_id: job.targetOrgId,
        status: 'queued',
        batch_size: job.batchSize,
        requested_by: job.requestedBy,
        created_at: job.now,
        updated_at: job.now,
      });
      await trx('transfer_job_steps').insert(
        job.steps.map((step, position) => ({
          job_id: job.id,
          position,
          datatype: step.datatype,
          status: 'pending',
          source_count: step.sourceCount,
        })),
      );
    });
  }

  async find(id: string): Promise<TransferJob | null> {
    const row: JobRow | undefined = await this.db('transfer_jobs').where({ id }).first();
    if (!row) return null;
    return toJob(row, await this.stepRows(id, this.db));
  }

  /** The job's state; `trx` given, its row stays locked until the transaction ends. */
  async state(id: string, trx?: Knex.Transaction): Promise<JobState | undefined> {
    const query = (trx ?? this.db)('transfer_jobs').where({ id });
    if (trx) query.forUpdate();
    const row: JobRow | undefined = await query.first();
    return row && toState(row);
  }

  async steps(jobId: string, db: Db = this.db): Promise<JobStep[]> {
    return (await this.stepRows(jobId, db)).map(toJobStep);
  }

  /** Newest first, keyset-paginated on the insertion sequence. */
  async page(request: JobPageRequest): Promise<{ items: TransferJob[]; nextCursor: string | null }> {
    const query = this.db('transfer_jobs');
    if (request.status) query.where({ status: request.status });
    if (request.orgId)
      query.where((q) => q.where({ source_org_id: request.orgId }).orWhere({ target_org_id: request.orgId }));
    const page = await pageBySeqDesc(query, request, (row: JobRow) => row);
    const steps: StepRow[] = page.items.length
      ? await this.db('transfer_job_steps')
          .whereIn(
            'job_id',
            page.items.map((r) => r.id),
          )
          .orderBy('position')
      : [];
    return {
      items: page.items.map((row) =>
        toJob(
          row,
          steps.filter((s) => s.job_id === row.id),
        ),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /** Jobs a worker should drive: queued, running (perhaps orphaned by a crash) or rolling back. */
  async runnableIds(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db('transfer_jobs')
      .whereIn('status', ['queued', 'running', 'rolling_back'])
      .orderBy('seq')
      .limit(limit)
      .select('id');
    return rows.map((r) => r.id);
  }

  /** queued → running; false when someone else moved the job first. */
  start(job: JobState, now: number): Promise<boolean> {
    return this.transition(this.db, job.id, ['queued'], 'running', {
      started_at: job.startedAt ?? now,
      updated_at: now,
    });
  }

  /** Ends a job in `to`, with the error that ended it. */
  finish(
    id: string,
    change: { from: readonly TransferJobStatus[]; to: TransferJobStatus; now: number; error?: ErrorBody },
    db: Db = this.db,
  ): Promise<boolean> {
    return this.transition(db, id, change.from, change.to, {
      ...(change.error && { error: JSON.stringify(change.error) }),
      retrying: null,
      finished_at: change.now,
      updated_at: change.now,
    });
  }

  /** A queued job stops at once. */
  async cancelQueued(trx: Knex.Transaction, id: string, now: number): Promise<void> {
    await this.transition(trx, id, ['queued'], 'cancelled', {
      cancel_requested: true,
      finished_at: now,
      updated_at: now,
    });
  }

  /** A running job stops after its current batch. */
  async requestCancel(trx: Knex.Transaction, id: string, now: number): Promise<void> {
    await this.update(trx, id, { cancel_requested: true, updated_at: now });
  }

  /** Queues a stopped job again; its unfinished steps continue from their cursors. */
  async requeue(trx: Knex.Transaction, id: string, from: readonly TransferJobStatus[], now: number): Promise<void> {
    await trx('transfer_job_steps')
      .where({ job_id: id })
      .whereIn('status', ['failed', 'cancelled', 'running'])
      .update({ status: 'pending', error: null });
    await this.transition(trx, id, from, 'queued', {
      error: null,
      retrying: null,
      cancel_requested: false,
      finished_at: null,
      updated_at: now,
    });
  }

  async startRollback(trx: Knex.Transaction, id: string, from: readonly TransferJobStatus[], now: number) {
    await this.transition(trx, id, from, 'rolling_back', {
      error: null,
      retrying: null,
      finished_at: null,
      updated_at: now,
    });
  }

  /** Shows the error a participant call is being retried after. */
  async markRetrying(id: string, error: ErrorBody, now: number): Promise<void> {
    await this.update(this.db, id, { retrying: JSON.stringify(error), updated_at: now });
  }

  async setStepStatus(
    step: { jobId: string; position: number; status: TransferStepStatus; error?: ErrorBody },
    db: Db = this.db,
  ): Promise<void> {
    await this.updateStep(db, step.jobId, step.position, {
      status: step.status,
      ...(step.error && { error: JSON.stringify(step.error) }),
    });
  }

  async markStepsRolledBack(trx: Knex.Transaction, jobId: string): Promise<void> {
    await trx('transfer_job_steps').where({ job_id: jobId }).update({ status: 'rolled_back' });
  }

  /**
   * Records a committed batch and advances its step, once: a batch already recorded (a replay after
   * a crash) changes nothing.
   */
  async recordBatch(batch: JobBatch, done: boolean, now: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      const inserted = await trx('transfer_job_batches')
        .insert({ ...toBatchRow(batch), committed_at: now })
        .onConflict('batch_id')
        .ignore()
        .returning('batch_id');
      const step: Record<string, unknown> = { cursor: batch.cursorAfter };
      if (done) step.status = 'completed';
      if (inserted.length) {
        step.transferred = trx.raw('transferred + ?', [batch.transferred]);
        step.batches = batch.batchNo;
      }
      await this.updateStep(trx, batch.jobId, batch.position, step);
      await this.update(trx, batch.jobId, { updated_at: now, retrying: null });
    });
  }

  /** Committed batches not rolled back yet, newest first. */
  async batchesToRollBack(jobId: string): Promise<JobBatch[]> {
    const rows: BatchRow[] = await this.db('transfer_job_batches')
      .where({ job_id: jobId })
      .whereNull('rolled_back_at')
      .orderBy([
        { column: 'position', order: 'desc' },
        { column: 'batch_no', order: 'desc' },
      ]);
    return rows.map(toJobBatch);
  }

  async recordRollback(batch: JobBatch, restored: number, now: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      const updated = await trx('transfer_job_batches')
        .where({ batch_id: batch.batchId })
        .whereNull('rolled_back_at')
        .update({ rolled_back_at: now });
      if (!updated) return;
      await this.updateStep(trx, batch.jobId, batch.position, {
        transferred: trx.raw('transferred - ?', [batch.transferred]),
        rolled_back: trx.raw('rolled_back + ?', [restored]),
      });
      await this.update(trx, batch.jobId, { updated_at: now, retrying: null });
    });
  }

  private stepRows(jobId: string, db: Db): Promise<StepRow[]> {
    return db('transfer_job_steps').where({ job_id: jobId }).orderBy('position');
  }

  /** Moves a job from one of `from` to `to`; false when it was in none of them (someone else moved it). */
  private async transition(
    db: Db,
    id: string,
    from: readonly TransferJobStatus[],
    to: TransferJobStatus,
    fields: Record<string, unknown>,
  ): Promise<boolean> {
    const updated = await db('transfer_jobs')
      .where({ id })
      .whereIn('status', [...from])
      .update({ status: to, ...fields });
    return updated > 0;
  }

  private async update(db: Db, id: string, fields: Record<string, unknown>): Promise<void> {
    await db('transfer_jobs').where({ id }).update(fields);
  }

  private async updateStep(db: Db, jobId: string, position: number, fields: Record<string, unknown>): Promise<void> {
    await db('transfer_job_steps').where({ job_id: jobId, position }).update(fields);
  }
}

function toState(row: JobRow): JobState {
  return {
    id: row.id,
    mode: row.mode,
    sourceOrgId: row.source_org_id,
    targetOrgId: row.target_org_id,
    status: row.status,
    batchSize: row.batch_size,
    cancelRequested: row.cancel_requested,
    requestedBy: row.requested_by,
    startedAt: row.started_at,
  };
}

function toJobStep(row: StepRow): JobStep {
  return { position: row.position, ...toStep(row) };
}

function toJobBatch(row: BatchRow): JobBatch {
  return {
    jobId: row.job_id,
    position: row.position,
    batchNo: row.batch_no,
    batchId: row.batch_id,
    transferred: row.transferred,
    cursorAfter: row.cursor_after,
  };
}

function toBatchRow(batch: JobBatch): BatchRow {
  return {
    job_id: batch.jobId,
    position: batch.position,
    batch_no: batch.batchNo,
    batch_id: batch.batchId,
    transferred: batch.transferred,
    cursor_after: batch.cursorAfter,
  };
}

function toStep(row: StepRow): TransferStep {
  return {
    datatype: row.datatype,
    status: row.status,
    sourceCount: row.source_count,
    transferred: row.transferred,
    rolledBack: row.rolled_back,
    batches: row.batches,
    cursor: row.cursor,
    error: row.error,
  };
}

function toJob(row: JobRow, steps: StepRow[]): TransferJob {
  const datatypes = steps.map(toStep);
  const sum = (pick: (s: TransferStep) => number) => datatypes.reduce((total, s) => total + pick(s), 0);
  return {
    id: row.id,
    mode: row.mode,
    sourceOrgId: row.source_org_id,
    targetOrgId: row.target_org_id,
    status: row.status,
    batchSize: row.batch_size,
    datatypes,
    totals: {
      sourceCount: sum((s) => s.sourceCount),
      transferred: sum((s) => s.transferred),
      rolledBack: sum((s) => s.rolledBack),
    },
    error: row.error,
    retrying: row.retrying,
    cancelRequested: row.cancel_requested,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

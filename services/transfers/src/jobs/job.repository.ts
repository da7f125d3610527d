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

export interface StepRow {
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

export interface BatchRow {
  job_id: string;
  position: number;
  batch_no: number;
  batch_id: string;
  transferred: number;
  cursor_after: string | null;
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

/** Jobs, their steps (one per datatype, in order) and their committed batches. */
@Injectable()
export class JobRepository {
  constructor(@Inject(DATABASE) readonly db: Knex) {}

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

  async find(id: string, db: Db = this.db): Promise<TransferJob | null> {
    const row: JobRow | undefined = await db('transfer_jobs').where({ id }).first();
    if (!row) return null;
    return toJob(row, await this.steps(id, db));
  }

  async findRow(id: string, db: Db = this.db, lock = false): Promise<JobRow | undefined> {
    const query = db('transfer_jobs').where({ id });
    if (lock) query.forUpdate();
    return query.first();
  }

  steps(jobId: string, db: Db = this.db): Promise<StepRow[]> {
    return db('transfer_job_steps').where({ job_id: jobId }).orderBy('position');
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

  /** Moves a job from one of `from` to `to`; false when it was in none of them (someone else moved it). */
  async transition(
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

  async update(db: Db, id: string, fields: Record<string, unknown>): Promise<void> {
    await db('transfer_jobs').where({ id }).update(fields);
  }

  async updateStep(db: Db, jobId: string, position: number, fields: Record<string, unknown>): Promise<void> {
    await db('transfer_job_steps').where({ job_id: jobId, position }).update(fields);
  }

  /**
   * Records a committed batch and advances its step, once: a batch already recorded (a replay after
   * a crash) changes nothing.
   */
  async recordBatch(trx: Knex.Transaction, batch: BatchRow, done: boolean, now: number): Promise<void> {
    const inserted = await trx('transfer_job_batches')
      .insert({ ...batch, committed_at: now })
      .onConflict('batch_id')
      .ignore()
      .returning('batch_id');
    const step: Record<string, unknown> = { cursor: batch.cursor_after };
    if (done) step.status = 'completed';
    if (inserted.length) {
      step.transferred = trx.raw('transferred + ?', [batch.transferred]);
      step.batches = batch.batch_no;
    }
    await this.updateStep(trx, batch.job_id, batch.position, step);
    await this.update(trx, batch.job_id, { updated_at: now, retrying: null });
  }

  /** Committed batches not rolled back yet, newest first. */
  batchesToRollBack(jobId: string): Promise<BatchRow[]> {
    return this.db('transfer_job_batches')
      .where({ job_id: jobId })
      .whereNull('rolled_back_at')
      .orderBy([
        { column: 'position', order: 'desc' },
        { column: 'batch_no', order: 'desc' },
      ]);
  }

  async recordRollback(trx: Knex.Transaction, batch: BatchRow, restored: number, now: number): Promise<void> {
    const updated = await trx('transfer_job_batches')
      .where({ batch_id: batch.batch_id })
      .whereNull('rolled_back_at')
      .update({ rolled_back_at: now });
    if (!updated) return;
    await this.updateStep(trx, batch.job_id, batch.position, {
      transferred: trx.raw('transferred - ?', [batch.transferred]),
      rolled_back: trx.raw('rolled_back + ?', [restored]),
    });
    await this.update(trx, batch.job_id, { updated_at: now, retrying: null });
  }
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

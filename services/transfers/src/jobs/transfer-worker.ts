import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import {
  ErrorBody,
  participantEndpoints,
  ParticipantBatchReply,
  ParticipantRollbackReply,
  TransferCompletedEvent,
  TransferDatatype,
} from '@org-mgmt/contracts';
import {
  AppConfig,
  Backoff,
  CLOCK,
  Clock,
  CONFIG,
  jitteredBackoff,
  Knex,
  LOGGER,
  Logger,
  OUTBOX,
  Outbox,
  RPC_CLIENT,
  RpcClient,
} from '@org-mgmt/runtime';
import { systemRequest } from '../internal-rpc';
import { BatchRow, JobRepository, StepRow } from './job.repository';

const MAX_CONCURRENT_JOBS = 3;
/**
 * Connections kept free of job locks: the jobs' own queries, this service's participant (which the
 * worker calls while holding locks), the outbox relay and API requests. Without them a small pool
 * pins every connection to a lock and each job waits for a connection forever.
 */
const CONNECTIONS_LEFT_FREE = 2;
const POLL_INTERVAL_MS = 1000;
/** A participant that is down or slow is waited for; an internal error is retried a few times. */
const WAIT_FOR = new Set(['SERVICE_UNAVAILABLE', 'SERVICE_TIMEOUT']);
const INTERNAL_RETRIES = 3;
const PARTICIPANT_RETRY: Backoff = { baseMs: 100, maxMs: 5000 };
/** Session advisory locks of this class mark the jobs a worker drives; a crashed worker's die with its connection. */
const JOB_LOCK_CLASS = 7307;

export interface BatchCommitted {
  jobId: string;
  datatype: TransferDatatype;
  batchNo: number;
  transferred: number;
}

type JobRow = NonNullable<Awaited<ReturnType<JobRepository['findRow']>>>;
type Attempt<T> = { kind: 'ok'; data: T } | { kind: 'failed'; error: ErrorBody } | { kind: 'interrupted' };

/**
 * Drives transfer jobs batch by batch. Every committed batch is recorded with its cursor before the
 * next is sent, and batch ids are deterministic (job, step, batch number), so a job resumed after a
 * crash re-sends at most its last batch, which the participant answers without doing it twice.
 * Replicas share jobs through session advisory locks: a job is driven by one worker at a time, and
 * a worker that dies releases its jobs with its database connection.
 */
@Injectable()
export class TransferWorker implements OnModuleDestroy {
  private running = false;
  private loop?: Promise<void>;
  private readonly active = new Map<string, Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private readonly listeners = new Set<(batch: BatchCommitted) => void>();

  constructor(
    private readonly jobs: JobRepository,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get db(): Knex {
    return this.jobs.db;
  }

  /** Each job driven holds one pooled connection for its lock. */
  private get maxConcurrentJobs(): number {
    return Math.max(1, Math.min(MAX_CONCURRENT_JOBS, this.config.DATABASE_POOL_MAX - CONNECTIONS_LEFT_FREE));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Looks for work now instead of at the next poll. */
  kick(): void {
    for (const wake of this.sleepers) wake();
  }

  /** Finishes the batches in flight and stops; the jobs stay runnable for the next worker. */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /** Called after each batch the job has recorded (progress logs, tests). */
  onBatchCommitted(listener: (batch: BatchCommitted) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.claimJobs();
      } catch (err) {
        this.logger.warn({ err }, 'transfer worker could not look for jobs; retrying');
      }
      await this.sleep(POLL_INTERVAL_MS);
    }
    await Promise.allSettled(this.active.values());
  }

  private async claimJobs(): Promise<void> {
    const max = this.maxConcurrentJobs;
    if (this.active.size >= max) return;
    for (const id of await this.jobs.runnableIds(MAX_CONCURRENT_JOBS * 4)) {
      if (!this.running || this.active.size >= max) return;
      if (this.active.has(id)) continue;
      const release = await this.tryLock(id);
      if (!release) continue;
      const drive = (async () => {
        try {
          await this.drive(id);
        } catch (err) {
          this.logger.error(
            { err, jobId: id },
            'transfer job interrupted by an unexpected error; it resumes at the next poll',
          );
        } finally {
          await release();
          this.active.delete(id);
          this.kick();
        }
      })();
      this.active.set(id, drive);
    }
  }

  private async tryLock(jobId: string): Promise<(() => Promise<void>) | null> {
    const connection = await this.db.client.acquireConnection();
    const lock = (fn: string) =>
      this.db.raw(`SELECT ${fn}(?, hashtext(?)) AS ok`, [JOB_LOCK_CLASS, jobId]).connection(connection);
    try {
      const { rows } = await lock('pg_try_advisory_lock');
      if (rows[0].ok) {
        return async () => {
          await lock('pg_advisory_unlock').catch(() => undefined);
          await this.db.client.releaseConnection(connection);
        };
      }
    } catch (err) {
      this.logger.warn({ err, jobId }, 'could not lock a transfer job');
    }
    await this.db.client.releaseConnection(connection);
    return null;
  }

  private async drive(id: string): Promise<void> {
    const job = await this.jobs.findRow(id);
    if (!job) return;
    if (job.status === 'rolling_back') return this.rollBack(job);
    if (job.status === 'queued') {
      const now = this.clock.now();
      if (
        !(await this.jobs.transition(this.db, id, ['queued'], 'running', {
          started_at: job.started_at ?? now,
          updated_at: now,
        }))
      )
        return;
    } else if (job.status !== 'running') {
      return;
    }
    const steps = await this.jobs.steps(id);
    const datatypes = steps.map((s) => s.datatype);
    for (const step of steps) {
      if (step.status === 'completed') continue;
      if ((await this.runStep(job, step, datatypes)) !== 'completed') return;
    }
    await this.complete(job);
  }

  private async runStep(job: JobRow, step: StepRow, datatypes: TransferDatatype[]): Promise<'completed' | 'stopped'> {
    await this.jobs.updateStep(this.db, job.id, step.position, { status: 'running' });
    const patterns = participantEndpoints(step.datatype);
    let cursor = step.cursor;
    for (let batchNo = step.batches + 1; ; batchNo++) {
      const batchId = `${job.id}.${step.position}.${batchNo}`;
      let attempt: Attempt<ParticipantBatchReply> = { kind: 'interrupted' };
      while (attempt.kind === 'interrupted') {
        if (!this.running || (await this.cancelIfRequested(job.id, step))) return 'stopped';
        attempt = await this.request<ParticipantBatchReply>(job.id, patterns.batch, {
          transferId: job.id,
          batchId,
          datatype: step.datatype,
          mode: job.mode,
          sourceOrgId: job.source_org_id,
          targetOrgId: job.target_org_id,
          cursor,
          limit: job.batch_size,
          datatypes,
        });
      }
      if (attempt.kind === 'failed') {
        await this.fail(job.id, step, {
          ...attempt.error,
          details: { datatype: step.datatype, batchId, cause: attempt.error.details ?? null },
        });
        return 'stopped';
      }
      const reply = attempt.data;
      const batch: BatchRow = {
        job_id: job.id,
        position: step.position,
        batch_no: batchNo,
        batch_id: batchId,
        transferred: reply.transferred,
        cursor_after: reply.cursor,
      };
      await this.db.transaction((trx) => this.jobs.recordBatch(trx, batch, reply.done, this.clock.now()));
      for (const listener of this.listeners)
        listener({ jobId: job.id, datatype: step.datatype, batchNo, transferred: reply.transferred });
      if (reply.done) return 'completed';
      cursor = reply.cursor;
    }
  }

  /** Sends one participant request; waits out a participant that is down, gives up on a real failure. */
  private async request<T>(
    jobId: string,
    def: Parameters<typeof systemRequest>[2],
    body: unknown,
  ): Promise<Attempt<T>> {
    for (let retry = 0; ; retry++) {
      // A timed-out batch is re-sent with its id: the participant finishes the first, then replays it.
      const result = await systemRequest(this.rpc, this.config, def, body);
      if (result.ok) return { kind: 'ok', data: result.data as T };
      const transient =
        WAIT_FOR.has(result.error.code) || (result.error.code === 'INTERNAL' && retry < INTERNAL_RETRIES);
      if (!transient) return { kind: 'failed', error: result.error };
      await this.jobs.update(this.db, jobId, { retrying: JSON.stringify(result.error), updated_at: this.clock.now() });
      await this.sleep(jitteredBackoff(retry, PARTICIPANT_RETRY));
      if (!this.running) return { kind: 'interrupted' };
      if (WAIT_FOR.has(result.error.code) && retry % 5 === 4) return { kind: 'interrupted' };
    }
  }

  private async cancelIfRequested(jobId: string, step: StepRow): Promise<boolean> {
    // A plain read first: locking the row every batch would cost a commit (a WAL flush) per batch.
    if (!(await this.jobs.findRow(jobId))?.cancel_requested) return false;
    return this.db.transaction(async (trx) => {
      const job = await this.jobs.findRow(jobId, trx, true);
      if (!job?.cancel_requested) return false;
      const now = this.clock.now();
      await this.jobs.updateStep(trx, jobId, step.position, { status: 'cancelled' });
      await this.jobs.transition(trx, jobId, ['running'], 'cancelled', {
        finished_at: now,
        updated_at: now,
        retrying: null,
      });
      return true;
    });
  }

  private async fail(jobId: string, step: StepRow, error: ErrorBody): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (trx) => {
      await this.jobs.updateStep(trx, jobId, step.position, { status: 'failed', error: JSON.stringify(error) });
      await this.jobs.transition(trx, jobId, ['running'], 'failed', {
        error: JSON.stringify(error),
        retrying: null,
        finished_at: now,
        updated_at: now,
      });
    });
    this.logger.warn({ jobId, error }, 'transfer job failed');
  }

  private async complete(job: JobRow): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (trx) => {
      if (
        !(await this.jobs.transition(trx, job.id, ['running'], 'completed', {
          finished_at: now,
          updated_at: now,
          retrying: null,
        }))
      )
        return;
      const steps = await this.jobs.steps(job.id, trx);
      await this.outbox.add(trx, TransferCompletedEvent, job.target_org_id, {
        transferId: job.id,
        mode: job.mode,
        sourceOrgId: job.source_org_id,
        targetOrgId: job.target_org_id,
        datatypes: steps.map((s) => ({ datatype: s.datatype, transferred: s.transferred })),
        requestedBy: job.requested_by,
        completedAt: now,
      });
    });
  }

  /** Undoes committed batches newest first; each undo is recorded before the next. */
  private async rollBack(job: JobRow): Promise<void> {
    const steps = new Map((await this.jobs.steps(job.id)).map((s) => [s.position, s]));
    for (const batch of await this.jobs.batchesToRollBack(job.id)) {
      const datatype = steps.get(batch.position)!.datatype;
      let attempt: Attempt<ParticipantRollbackReply> = { kind: 'interrupted' };
      while (attempt.kind === 'interrupted') {
        if (!this.running) return;
        attempt = await this.request<ParticipantRollbackReply>(job.id, participantEndpoints(datatype).rollback, {
          transferId: job.id,
          batchId: batch.batch_id,
          datatype,
        });
      }
      if (attempt.kind === 'failed') {
        const error = {
          ...attempt.error,
          details: { datatype, batchId: batch.batch_id, cause: attempt.error.details ?? null },
        };
        const now = this.clock.now();
        await this.jobs.transition(this.db, job.id, ['rolling_back'], 'rollback_failed', {
          error: JSON.stringify(error),
          retrying: null,
          finished_at: now,
          updated_at: now,
        });
        return;
      }
      const restored = attempt.data.restored;
      await this.db.transaction((trx) => this.jobs.recordRollback(trx, batch, restored, this.clock.now()));
    }
    const now = this.clock.now();
    await this.db.transaction(async (trx) => {
      await trx('transfer_job_steps').where({ job_id: job.id }).update({ status: 'rolled_back' });
      await this.jobs.transition(trx, job.id, ['rolling_back'], 'rolled_back', {
        finished_at: now,
        updated_at: now,
        retrying: null,
      });
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

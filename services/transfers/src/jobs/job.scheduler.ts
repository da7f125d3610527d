import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, CONFIG, LOGGER, Logger } from '@org-mgmt/runtime';
import { JobLockRepository, ReleaseJobLock } from './job-lock.repository';
import { JobRepository } from './job.repository';
import { JobRunner } from './job.runner';
import { RunControl } from './participant.client';

const MAX_CONCURRENT_JOBS = 3;
/**
 * Connections kept free of job locks: the jobs' own queries, this service's participant (which the
 * runner calls while holding locks), the outbox relay and API requests. Without them a small pool
 * pins every connection to a lock and each job waits for a connection forever.
 */
const CONNECTIONS_LEFT_FREE = 2;
const POLL_INTERVAL_MS = 1000;

/**
 * Finds runnable jobs, locks each and hands it to the JobRunner, a few at a time, then waits for
 * the next poll or kick. Replicas share jobs through session advisory locks: a job is driven by one
 * worker at a time, and a worker that dies releases its jobs with its database connection.
 */
@Injectable()
export class JobScheduler implements OnModuleDestroy, RunControl {
  private isRunning = false;
  private loop?: Promise<void>;
  private readonly active = new Map<string, Promise<void>>();
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly jobs: JobRepository,
    private readonly locks: JobLockRepository,
    private readonly runner: JobRunner,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get running(): boolean {
    return this.isRunning;
  }

  /** Each job driven holds one pooled connection for its lock. */
  private get maxConcurrentJobs(): number {
    return Math.max(1, Math.min(MAX_CONCURRENT_JOBS, this.config.DATABASE_POOL_MAX - CONNECTIONS_LEFT_FREE));
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.loop = this.run();
  }

  /** Looks for work now instead of at the next poll (and cuts short the runners' retry waits). */
  kick(): void {
    for (const wake of this.sleepers) wake();
  }

  /** Finishes the batches in flight and stops; the jobs stay runnable for the next worker. */
  async stop(): Promise<void> {
    this.isRunning = false;
    this.kick();
    await this.loop;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  sleep(ms: number): Promise<void> {
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

  private async run(): Promise<void> {
    while (this.isRunning) {
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
      if (!this.isRunning || this.active.size >= max) return;
      if (this.active.has(id)) continue;
      const release = await this.locks.tryLock(id);
      if (release) this.active.set(id, this.drive(id, release));
    }
  }

  private async drive(id: string, release: ReleaseJobLock): Promise<void> {
    try {
      await this.runner.run(id, this);
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
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Knex, LOGGER, Logger } from '@org-mgmt/runtime';

/** Session advisory locks of this class mark the jobs a worker drives; a crashed worker's die with its connection. */
const JOB_LOCK_CLASS = 7307;

/** Releases a job lock and the connection that holds it. */
export type ReleaseJobLock = () => Promise<void>;

/** The advisory locks that let replicas share jobs: one worker drives a job at a time. */
@Injectable()
export class JobLockRepository {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Locks the job on a connection of its own, held until released; null when another worker holds it. */
  async tryLock(jobId: string): Promise<ReleaseJobLock | null> {
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
}

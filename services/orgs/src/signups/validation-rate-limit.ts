import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, Knex } from '@org-mgmt/runtime';

/** Validation attempts per client IP and minute (a fixed window shared by every orgs replica through the database). */
export const VALIDATIONS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

@Injectable()
export class ValidationRateLimit {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Counts the attempt; RATE_LIMITED (429) beyond the limit, telling the client when to retry. */
  async take(clientKey: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = now - (now % WINDOW_MS);
    const [{ attempts }] = await this.db
      .raw(
        `INSERT INTO signup_validation_windows (client_key, window_start, attempts) VALUES (?, ?, 1)
       ON CONFLICT (client_key, window_start) DO UPDATE SET attempts = signup_validation_windows.attempts + 1
       RETURNING attempts`,
        [clientKey, windowStart],
      )
      .then((r: { rows: { attempts: number }[] }) => r.rows);
    if (attempts === 1)
      await this.db('signup_validation_windows')
        .where({ client_key: clientKey })
        .where('window_start', '<', windowStart)
        .delete();
    if (attempts > VALIDATIONS_PER_MINUTE) {
      throw new AppError('RATE_LIMITED', 'Too many signup validations from this client; try again later', {
        retryAfterMs: windowStart + WINDOW_MS - now,
      });
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Knex } from '@org-mgmt/runtime';

/** Owns signup_validation_windows: validation attempts per client and fixed window. */
@Injectable()
export class ValidationWindowRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  /** Counts one attempt in the window, atomically across replicas; the attempts so far, this one included. */
  async countAttempt(clientKey: string, windowStart: number): Promise<number> {
    const { rows } = await this.db.raw<{ rows: { attempts: number }[] }>(
      `INSERT INTO signup_validation_windows (client_key, window_start, attempts) VALUES (?, ?, 1)
       ON CONFLICT (client_key, window_start) DO UPDATE SET attempts = signup_validation_windows.attempts + 1
       RETURNING attempts`,
      [clientKey, windowStart],
    );
    return rows[0].attempts;
  }

  async dropWindowsBefore(clientKey: string, windowStart: number): Promise<void> {
    await this.db('signup_validation_windows')
      .where({ client_key: clientKey })
      .where('window_start', '<', windowStart)
      .delete();
  }
}

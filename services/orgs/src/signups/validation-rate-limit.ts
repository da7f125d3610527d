import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@org-mgmt/contracts';
import { CLOCK, Clock } from '@org-mgmt/runtime';
import { ValidationWindowRepository } from './validation-window.repository';

/** Validation attempts per client IP and minute (a fixed window shared by every orgs replica through the database). */
export const VALIDATIONS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

@Injectable()
export class ValidationRateLimit {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly windows: ValidationWindowRepository,
  ) {}

  /** Counts the attempt; RATE_LIMITED (429) beyond the limit, telling the client when to retry. */
  async take(clientKey: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = now - (now % WINDOW_MS);
    const attempts = await this.windows.countAttempt(clientKey, windowStart);
    if (attempts === 1) await this.windows.dropWindowsBefore(clientKey, windowStart);
    if (attempts > VALIDATIONS_PER_MINUTE) {
      throw new AppError('RATE_LIMITED', 'Too many signup validations from this client; try again later', {
        retryAfterMs: windowStart + WINDOW_MS - now,
      });
    }
  }
}

import { AppError } from '@org-mgmt/contracts';
import { Clock } from '@org-mgmt/runtime';

/** Distinct clients counted per window, so a flood of addresses cannot grow memory without bound. */
const MAX_TRACKED_CLIENTS = 100_000;

/**
 * Requests per client key (endpoint and client IP) and fixed window, counted in this gateway process
 * (each replica counts its own share). RATE_LIMITED (429, with Retry-After) beyond the limit.
 */
export class PublicRateLimit {
  private windowStart = 0;
  private counts = new Map<string, number>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  take(clientKey: string): void {
    const now = this.clock.now();
    const windowStart = now - (now % this.windowMs);
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.counts = new Map();
    }
    const known = this.counts.get(clientKey);
    if (known === undefined && this.counts.size >= MAX_TRACKED_CLIENTS) return;
    const count = (known ?? 0) + 1;
    this.counts.set(clientKey, count);
    if (count > this.perWindow) {
      throw new AppError('RATE_LIMITED', 'Too many requests from this client; try again later', {
        retryAfterMs: windowStart + this.windowMs - now,
      });
    }
  }
}

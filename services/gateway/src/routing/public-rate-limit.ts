import { AppError, EndpointDef } from '@org-mgmt/contracts';
import { Clock } from '@org-mgmt/runtime';

/** Distinct clients counted per window, so a flood of addresses cannot grow memory without bound. */
const MAX_TRACKED_CLIENTS = 100_000;
/** Clients beyond the tracked ones share this one count, so a flood from many addresses is still limited. */
const OVERFLOW_KEY = '(clients beyond the tracked ones)';

/**
 * Public endpoints are limited per client, except signed webhooks: the payment provider sends them
 * from a few addresses in bursts, and each is verified by its signature before anything happens.
 */
export function isRateLimited(def: EndpointDef): boolean {
  return def.access.kind === 'public' && !def.rawBody;
}

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
    const key = this.counts.has(clientKey) || this.counts.size < MAX_TRACKED_CLIENTS ? clientKey : OVERFLOW_KEY;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count > this.perWindow) {
      throw new AppError('RATE_LIMITED', 'Too many requests from this client; try again later', {
        retryAfterMs: windowStart + this.windowMs - now,
      });
    }
  }
}

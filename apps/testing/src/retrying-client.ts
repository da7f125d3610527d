import { Backoff, jitteredBackoff } from '@org-mgmt/runtime';
import { ApiResponse } from './http';

/** What a client saw while a fault was injected. */
export interface ClientCounts {
  /** HTTP requests sent, retries included. */
  sent: number;
  /** Requests answered with their success status (a purchase takes two: buy, then complete). */
  succeeded: number;
  /** Answers 503 SERVICE_UNAVAILABLE or 504 SERVICE_TIMEOUT in the error envelope: the client may retry. */
  failedCleanly: number;
  /** Of those, 504s: the request reached a service that died or stalled before answering. */
  timedOut: number;
  /** Anything else that was not the expected status (a 500, a stack trace, a dropped connection): must stay 0. */
  unclean: number;
  /** Operations given up after the retry deadline: must stay 0 (the system recovered). */
  gaveUp: number;
  /** The slowest clean failure, in ms (how long a caller waited to learn it must retry). */
  maxFailMs: number;
}

const RETRYABLE = new Set(['SERVICE_UNAVAILABLE', 'SERVICE_TIMEOUT']);

/**
 * Sends an operation the way a careful client does: on 503/504 it waits a little and sends the
 * same request again (with the same Idempotency-Key, which makes a retry safe), until the expected
 * status or a deadline. Counts everything it saw.
 */
export class RetryingClient {
  readonly counts: ClientCounts = {
    sent: 0,
    succeeded: 0,
    failedCleanly: 0,
    timedOut: 0,
    unclean: 0,
    gaveUp: 0,
    maxFailMs: 0,
  };
  /** The first few unclean answers, for the failure message. */
  readonly uncleanAnswers: string[] = [];

  constructor(
    private readonly retryDeadlineMs = 90_000,
    private readonly backoff: Backoff = { baseMs: 100, maxMs: 400 },
  ) {}

  async send<T = any>(
    expectedStatus: number,
    request: () => Promise<ApiResponse<T>>,
  ): Promise<ApiResponse<T> | undefined> {
    const deadline = Date.now() + this.retryDeadlineMs;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const started = Date.now();
      this.counts.sent++;
      const res = await request().catch(
        (err: Error) => ({ status: 0, body: { transport: err.message } }) as ApiResponse,
      );
      if (res.status === expectedStatus) {
        this.counts.succeeded++;
        return res;
      }
      if (isCleanFailure(res)) {
        this.counts.failedCleanly++;
        if (res.status === 504) this.counts.timedOut++;
        this.counts.maxFailMs = Math.max(this.counts.maxFailMs, Date.now() - started);
      } else {
        this.counts.unclean++;
        if (this.uncleanAnswers.length < 5) this.uncleanAnswers.push(`${res.status} ${JSON.stringify(res.body)}`);
      }
      await new Promise((r) => setTimeout(r, jitteredBackoff(attempt, this.backoff)));
    }
    this.counts.gaveUp++;
    return undefined;
  }
}

function isCleanFailure(res: ApiResponse): boolean {
  return (
    (res.status === 503 || res.status === 504) &&
    RETRYABLE.has((res.body as { error?: { code?: string } })?.error?.code ?? '')
  );
}

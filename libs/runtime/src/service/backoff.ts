/** Exponential growth from `baseMs` per attempt, capped at `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * How long to wait before retry `attempt` (0 for the first): the exponential ceiling
 * `min(maxMs, baseMs * 2^attempt)`, less a random part of up to half of it ("equal jitter"). Replicas
 * and clients that failed at the same moment so retry at different moments instead of in step, and no
 * retry comes sooner than half the ceiling.
 */
export function jitteredBackoff(
  attempt: number,
  { baseMs, maxMs }: Backoff,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling - (ceiling / 2) * random());
}

/** When a failed event handler gets its event again (JetStream nak delay, the in-process bus's wait). */
export const REDELIVERY_BACKOFF: Backoff = { baseMs: 250, maxMs: 30_000 };

/**
 * Reconnection of every NATS connection: forever, every 500 ms plus up to 500 ms of jitter, so the
 * processes cut off by a NATS restart do not all reconnect in the same instant.
 */
export const NATS_RECONNECT = { maxReconnectAttempts: -1, reconnectTimeWait: 500, reconnectJitter: 500 } as const;

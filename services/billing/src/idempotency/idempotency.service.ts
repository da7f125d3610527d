import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@org-mgmt/contracts';
import {
  CLOCK,
  Clock,
  DATABASE,
  Knex,
  ReplayedResponse,
  replayOf,
  StoredResponse,
  storedResponse,
} from '@org-mgmt/runtime';
import { createHash } from 'node:crypto';

export interface IdempotentRequest {
  /** The operation, e.g. its RPC pattern. */
  scope: string;
  /** Whose keys these are: the caller's org (Stripe scopes keys to the account). */
  account: string;
  key: string | undefined;
  /** What the request asks for; the same key with other parameters is refused. */
  parameters: unknown;
}

const MAX_KEY_LENGTH = 255;

/**
 * Idempotency-Key with Stripe's semantics: the first request with a key runs and its response is
 * stored, as the exact JSON text answered, in the same database transaction as its effects; a replay
 * answers that text byte for byte (a ReplayedResponse: `Idempotent-Replayed: true`); the same
 * key with different parameters is 409 IDEMPOTENCY_KEY_REUSED. A concurrent replay waits on the
 * key's row until the first commits (or rolls back, and then runs itself). A request that fails is
 * not stored, so it may be retried with the same key.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  run<T>(request: IdempotentRequest, work: (trx: Knex.Transaction) => Promise<T>): Promise<T | ReplayedResponse> {
    const { key } = request;
    if (key === undefined) return this.db.transaction(work);
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new AppError('VALIDATION_FAILED', 'Invalid Idempotency-Key', {
        fields: [{ path: 'headers.idempotency-key', message: `must be 1 to ${MAX_KEY_LENGTH} characters` }],
      });
    }
    const requestHash = hashOf(request.parameters);
    return this.db.transaction(async (trx) => {
      const identity = { scope: request.scope, account: request.account, key };
      const claimed = await trx('idempotency_keys')
        .insert({ ...identity, request_hash: requestHash, created_at: this.clock.now() })
        .onConflict(['scope', 'account', 'key'])
        .ignore()
        .returning('key');
      if (!claimed.length) {
        const earlier: StoredResponse & { request_hash: string } = await trx('idempotency_keys')
          .where(identity)
          .first();
        if (earlier.request_hash !== requestHash) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with different parameters');
        }
        return replayOf(earlier);
      }
      const response = await work(trx);
      await trx('idempotency_keys').where(identity).update(storedResponse(response));
      return response;
    });
  }
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

/** JSON with object keys sorted, so equal parameters hash equally whatever their order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

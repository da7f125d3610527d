import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@org-mgmt/contracts';
import { createHash } from 'node:crypto';
import { ReplayedResponse } from '../bus/replayed-response';
import { Knex } from '../db/database';
import { Clock } from '../service/clock';
import { CLOCK, DATABASE } from '../service/tokens';

/** Whose key it is: keys of one scope and account are one space (Stripe scopes keys to the account). */
export interface KeyIdentity {
  /** The operation, e.g. its RPC pattern; operations sharing one scope share one key space. */
  scope: string;
  account: string;
  key: string;
}

export interface IdempotentRequest extends Omit<KeyIdentity, 'key'> {
  key: string | undefined;
  /** What the request asks for; the same key with other parameters is refused. */
  parameters: unknown;
}

/** An earlier request's key: its stored answer, or null while that request has not completed. */
export interface EarlierRequest {
  replay: ReplayedResponse | null;
}

/**
 * A key as stored: `response` (jsonb, to query) and `response_text`, the exact JSON first answered,
 * since jsonb reorders keys (a row stored before response_text existed has only `response`).
 */
interface KeyRow {
  request_hash: string;
  response: unknown;
  response_text: string | null;
}

const TABLE = 'idempotency_keys';

/** The request_hash of a key copied from a store that kept no fingerprint: any parameters match it. */
export const UNRECORDED_PARAMETERS = 'unrecorded';
const MAX_KEY_LENGTH = 255;

/**
 * Owns the `idempotency_keys` table of a service's schema: HTTP Idempotency-Key with Stripe's
 * semantics. A request claims its key, in the transaction of its effects; completing it stores the
 * exact JSON text answered, which every later request with the key replays byte for byte
 * (`Idempotent-Replayed: true`). The same key with different parameters is IDEMPOTENCY_KEY_REUSED.
 * A claim racing an uncommitted one waits on its row until that commits (and replays it) or rolls
 * back (and claims it). A request that fails before completing stores nothing unless its caller
 * commits the claim (a payment left to settle later completes it then).
 *
 * Events are deduplicated apart, by event id in processed_events (idempotentHandler): a consumer has
 * no caller waiting for an answer to replay.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Runs `work` once per key in one transaction with its claim and completion; no key, no dedupe. */
  run<T>(request: IdempotentRequest, work: (trx: Knex.Transaction) => Promise<T>): Promise<T | ReplayedResponse> {
    const key = request.key;
    if (key === undefined) return this.db.transaction(work);
    return this.db.transaction(async (trx): Promise<T | ReplayedResponse> => {
      const earlier = await this.claim(trx, { ...request, key });
      if (earlier?.replay) return earlier.replay;
      if (earlier) throw inFlight();
      const response = await work(trx);
      await this.complete(trx, { ...request, key }, response);
      return response;
    });
  }

  /** Claims the key for this request: null when claimed, else the earlier request that holds it. */
  async claim(trx: Knex.Transaction, request: IdempotentRequest & { key: string }): Promise<EarlierRequest | null> {
    const identity = identityOf(request);
    const claimed = await trx(TABLE)
      .insert({ ...identity, request_hash: hashOf(request.parameters), created_at: this.clock.now() })
      .onConflict(['scope', 'account', 'key'])
      .ignore()
      .returning('key');
    return claimed.length ? null : this.find(request, trx);
  }

  /** The earlier request with this key, without claiming it (null when there is none). */
  async find(
    request: IdempotentRequest & { key: string },
    db: Knex | Knex.Transaction = this.db,
  ): Promise<EarlierRequest | null> {
    const row: KeyRow | undefined = await db(TABLE).where(identityOf(request)).first();
    if (!row) return null;
    if (row.request_hash !== UNRECORDED_PARAMETERS && row.request_hash !== hashOf(request.parameters)) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with different parameters');
    }
    return { replay: replayOf(row) };
  }

  /** Stores the answer to replay for a claimed key. */
  async complete(trx: Knex.Transaction, identity: KeyIdentity, response: unknown): Promise<void> {
    const text = JSON.stringify(response);
    await trx(TABLE).where(identityOf(identity)).update({ response: text, response_text: text });
  }
}

function identityOf(request: KeyIdentity): KeyIdentity {
  if (request.key.length === 0 || request.key.length > MAX_KEY_LENGTH) {
    throw new AppError('VALIDATION_FAILED', 'Invalid Idempotency-Key', {
      fields: [{ path: 'headers.idempotency-key', message: `must be 1 to ${MAX_KEY_LENGTH} characters` }],
    });
  }
  return { scope: request.scope, account: request.account, key: request.key };
}

/** The answer to replay, as first sent; null while the request that claimed the key has not completed. */
function replayOf(row: KeyRow): ReplayedResponse | null {
  if (row.response_text !== null) return new ReplayedResponse(row.response_text);
  return row.response === null ? null : new ReplayedResponse(JSON.stringify(row.response));
}

function inFlight(): AppError {
  return new AppError('CONFLICT', 'The request with this Idempotency-Key is still in progress');
}

/** The stored fingerprint of a request's parameters. */
export function hashOf(parameters: unknown): string {
  return createHash('sha256').update(stableJson(parameters)).digest('hex');
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

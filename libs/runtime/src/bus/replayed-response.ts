/**
 * A handler's answer replayed for a repeated Idempotency-Key: the stored JSON text, which the gateway
 * sends byte for byte with `Idempotent-Replayed: true` (Stripe's semantics).
 */
export class ReplayedResponse {
  constructor(readonly body: string) {}
}

/**
 * How a service keeps an answer to replay: `response` (jsonb, to query) and `response_text`, the exact
 * JSON first answered, since jsonb reorders keys.
 */
export interface StoredResponse {
  response: unknown;
  response_text: string | null;
}

/** The columns to store `response` in; serialised once, so the replay is the text the client got. */
export function storedResponse(response: unknown): { response: string; response_text: string } {
  const text = JSON.stringify(response);
  return { response: text, response_text: text };
}

/** The replay of a stored answer; one stored before response_text existed replays its jsonb (key order may differ). */
export function replayOf(stored: StoredResponse): ReplayedResponse {
  return new ReplayedResponse(stored.response_text ?? JSON.stringify(stored.response));
}

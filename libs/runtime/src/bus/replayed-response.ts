/**
 * A handler's answer replayed for a repeated Idempotency-Key: the stored JSON text, which the gateway
 * sends byte for byte with `Idempotent-Replayed: true` (Stripe's semantics).
 */
export class ReplayedResponse {
  constructor(readonly body: string) {}
}

import { z } from 'zod';

/** ISO 4217 code, upper case; which currencies are accepted is billing's rule. */
export const CurrencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

/** Integer minor units (cents), never floats. */
export const MinorUnitsSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * `billing.credits.debit` (System, NATS only): debits an org's credit balance once per `reference`.
 * A retry with the same reference answers the first result; a debit the balance does not cover fails
 * with INSUFFICIENT_BALANCE and changes nothing.
 */
export const DebitBodySchema = z.strictObject({
  orgId: z.string().regex(/^org_[a-z0-9_]{1,64}$/),
  reference: z.string().min(1).max(200),
  amount: MinorUnitsSchema,
  currency: CurrencyCodeSchema,
  reason: z.string().min(1).max(500),
});
export type DebitBody = z.infer<typeof DebitBodySchema>;

export const DebitResultSchema = z.object({
  transactionId: z.string(),
  reference: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  balance: z.number().int(),
});
export type DebitResult = z.infer<typeof DebitResultSchema>;

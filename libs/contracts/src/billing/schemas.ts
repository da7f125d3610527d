import { z } from 'zod';
import { safeString } from '../common/text';
import { PAYMENT_INTENT_ID_PATTERN } from '../common/ids';
import { pageOf, PageQuerySchema } from '../common/pagination';

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
  reference: safeString().min(1).max(200),
  amount: MinorUnitsSchema,
  currency: CurrencyCodeSchema,
  reason: safeString().min(1).max(500),
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

/**
 * The credit rule: an org's credits are held in CREDIT_CURRENCY minor units, 1 credit = 1 US cent.
 * A purchase of `amount` minor units of an accepted currency credits exactly the amount the payment
 * gateway says it received. Accepted currencies, with the digits of their minor unit:
 */
export const ACCEPTED_CURRENCIES = { USD: { minorUnitDigits: 2 } } as const;
export type AcceptedCurrency = keyof typeof ACCEPTED_CURRENCIES;
export const CREDIT_CURRENCY: AcceptedCurrency = 'USD';
export const AcceptedCurrencySchema = z.enum(
  Object.keys(ACCEPTED_CURRENCIES) as [AcceptedCurrency, ...AcceptedCurrency[]],
  {
    error: `must be one of: ${Object.keys(ACCEPTED_CURRENCIES).join(', ')}`,
  },
);

/** Stripe's smallest charge is USD 0.50; the largest purchase or grant is USD 1,000,000.00. */
export const MIN_PURCHASE_MINOR = 50;
export const MAX_AMOUNT_MINOR = 100_000_000;

const wholeMinorUnits = (min: number) =>
  z
    .number({ error: 'must be a number of minor units (cents for USD)' })
    .int('must be a whole number of minor units (cents for USD): no fractions of a cent')
    .min(min, `must be at least ${min} minor units`)
    .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR} minor units`);

export const PaymentGatewayNameSchema = z.enum(['stripe', 'sandbox']);
export const TransactionIdSchema = z.string().regex(/^txn_[a-z0-9]{20}$/, 'must be a transaction id such as txn_…');
const OrgIdField = z.string().regex(/^org_[a-z0-9_]{1,64}$/, 'must be an org id such as org_abc123');
const ReasonSchema = safeString().trim().min(1, 'a reason is required').max(500);

export const TRANSACTION_TYPES = ['purchase', 'gift', 'adjustment', 'refund', 'debit'] as const;
export const TransactionTypeSchema = z.enum(TRANSACTION_TYPES);
export type TransactionType = z.infer<typeof TransactionTypeSchema>;
export const TRANSACTION_STATUSES = ['pending', 'succeeded', 'failed'] as const;

/** One money movement of an org: a purchase (pending until paid), a grant, a refund, a debit. */
export const TransactionSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  type: TransactionTypeSchema,
  status: z.enum(TRANSACTION_STATUSES),
  /** Positive minor units; debits take it off the balance, every other type adds it. */
  amount: z.number().int(),
  currency: z.string(),
  /** The balance right after this transaction changed it; null while pending or when it failed. */
  balanceAfter: z.number().int().nullable(),
  gateway: PaymentGatewayNameSchema.nullable(),
  paymentIntentId: z.string().nullable(),
  /** The caller's reference of a debit (unique per org). */
  reference: z.string().nullable(),
  reason: z.string().nullable(),
  relatedTransactionId: z.string().nullable(),
  createdBy: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.number().int(),
  completedAt: z.number().int().nullable(),
});
export type Transaction = z.infer<typeof TransactionSchema>;

export const BalanceSchema = z.object({
  orgId: z.string(),
  balance: z.number().int(),
  currency: z.string(),
  updatedAt: z.number().int().nullable(),
  /** When the ledger was closed (the org was deleted): no money moves in or out after it. */
  closedAt: z.number().int().nullable(),
});
export type Balance = z.infer<typeof BalanceSchema>;

export const BuyCreditsBodySchema = z.strictObject({
  amount: wholeMinorUnits(MIN_PURCHASE_MINOR),
  currency: AcceptedCurrencySchema,
  /** Defaults to the configured gateway; naming another one is refused. */
  gateway: PaymentGatewayNameSchema.optional(),
  paymentMethodId: z.string().regex(/^pm_[A-Za-z0-9_]{1,250}$/, 'must be a payment method id such as pm_card_visa'),
});
export type BuyCreditsBody = z.infer<typeof BuyCreditsBodySchema>;

export const BuyCreditsResultSchema = z.object({
  transactionId: z.string(),
  paymentIntentId: z.string(),
  paymentIntentClientSecret: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.literal('pending'),
});
export type BuyCreditsResult = z.infer<typeof BuyCreditsResultSchema>;

export const CompletePaymentBodySchema = z.strictObject({
  paymentIntentId: z.string().regex(PAYMENT_INTENT_ID_PATTERN, 'must be a payment intent id such as pi_…'),
  transactionId: TransactionIdSchema,
  gateway: PaymentGatewayNameSchema.optional(),
});
export type CompletePaymentBody = z.infer<typeof CompletePaymentBodySchema>;

export const GiftCreditsBodySchema = z.strictObject({
  orgId: OrgIdField,
  amount: wholeMinorUnits(1),
  currency: AcceptedCurrencySchema,
  reason: ReasonSchema,
});
export type GiftCreditsBody = z.infer<typeof GiftCreditsBodySchema>;

export const AddCreditBodySchema = GiftCreditsBodySchema.extend({
  /** `refund` records the credit as a refund (optionally of `relatedTransactionId`). */
  type: z.enum(['adjustment', 'refund']).default('adjustment'),
  relatedTransactionId: TransactionIdSchema.optional(),
});
export type AddCreditBody = z.infer<typeof AddCreditBodySchema>;

/** A credit applied by an operator: the transaction and the balance it left. */
export const CreditResultSchema = z.object({ transaction: TransactionSchema, balance: z.number().int() });
export type CreditResult = z.infer<typeof CreditResultSchema>;

export const TransactionListQuerySchema = PageQuerySchema.extend({
  type: TransactionTypeSchema.optional(),
  /** Unix ms, inclusive. */
  from: z.coerce.number().int().min(0).optional(),
  /** Unix ms, exclusive. */
  to: z.coerce.number().int().min(0).optional(),
}).refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, {
  message: 'from must be before to',
  path: ['from'],
});
export const TransactionPageSchema = pageOf(TransactionSchema);

export const WebhookReceiptSchema = z.object({ received: z.literal(true), handled: z.boolean() });

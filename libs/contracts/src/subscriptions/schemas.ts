import { z } from 'zod';
import { boundedText, safeRecord, safeString } from '../common/text';
import { GATEWAY_PAYMENT_ID_MAX, ORG_ID_PATTERN } from '../common/ids';

export const PLAN_IDS = ['free', 'basic', 'pro', 'team', 'enterprise'] as const;
export const PlanIdSchema = z.enum(PLAN_IDS);
export type PlanId = z.infer<typeof PlanIdSchema>;

export const BILLING_INTERVALS = ['month', 'year'] as const;
export const BillingIntervalSchema = z.enum(BILLING_INTERVALS);
export type BillingInterval = z.infer<typeof BillingIntervalSchema>;

export const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'cancelled'] as const;
export const SubscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

const FlagNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _');

export const PlanLimitsSchema = z.object({
  seats: z.number().int().nullable(),
  sites: z.number().int().nullable(),
  storageGb: z.number().int().nullable(),
  apiRequestsPerMonth: z.number().int().nullable(),
});

export const PlanSchema = z.object({
  id: PlanIdSchema,
  name: z.string(),
  /** Position in the ladder: an upgrade goes to a higher rank. */
  rank: z.number().int(),
  currency: z.string(),
  /** Integer minor units per period. */
  prices: z.object({ month: z.number().int(), year: z.number().int() }),
  /** null means unlimited. */
  limits: PlanLimitsSchema,
  /** Flags the tier grants by default; per-org overrides layer on top. */
  features: z.array(z.string()),
});
export type Plan = z.infer<typeof PlanSchema>;
export const PlanListSchema = z.object({ plans: z.array(PlanSchema) });

export const SubscriptionSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  plan: PlanIdSchema,
  interval: BillingIntervalSchema,
  status: SubscriptionStatusSchema,
  /** What one period costs this org (the plan's price unless an operator overrode it). */
  priceAmount: z.number().int(),
  currency: z.string(),
  currentPeriodStart: z.number().int(),
  currentPeriodEnd: z.number().int(),
  cancelAtPeriodEnd: z.boolean(),
  /** A downgrade waiting for the period end. */
  scheduledChange: z
    .object({ plan: PlanIdSchema, interval: BillingIntervalSchema, effectiveAt: z.number().int() })
    .nullable(),
  cancelledAt: z.number().int().nullable(),
  /** The plan's default flags (effective flags, with per-org overrides, are on the profile). */
  features: z.array(z.string()),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** How a charge is paid: the org's credit balance, or a card through a payment gateway. */
export const PaymentChoiceSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('credits') }),
  z.strictObject({
    method: z.literal('card'),
    gateway: z.enum(['stripe', 'sandbox']),
    paymentMethodId: safeString().min(1).max(255),
  }),
]);
export type PaymentChoice = z.infer<typeof PaymentChoiceSchema>;

/** A charge the caller still has to confirm with the payment gateway, then finalise with complete-payment. */
export const PendingPaymentSchema = z.object({
  paymentId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  gateway: z.string(),
  paymentIntentId: z.string().nullable(),
  paymentIntentClientSecret: z.string().nullable(),
  checkoutSessionId: z.string().nullable(),
  checkoutUrl: z.string().nullable(),
});

export const ProrationSchema = z.object({
  /** Seconds of the old period left at the change, and the old period's length in seconds. */
  unusedSeconds: z.number().int(),
  periodSeconds: z.number().int(),
  credit: z.number().int(),
  charge: z.number().int(),
  /** charge − credit, rounded once (half up): what the org pays now. */
  amountDue: z.number().int(),
  currency: z.string(),
});
export type Proration = z.infer<typeof ProrationSchema>;

/** create / upgrade answer with the subscription and, when a card payment is still to be confirmed, its payment. */
export const SubscriptionChangeResultSchema = z.object({
  subscription: SubscriptionSchema.nullable(),
  amountCharged: z.number().int(),
  proration: ProrationSchema.nullable(),
  payment: PendingPaymentSchema.nullable(),
});
export type SubscriptionChangeResult = z.infer<typeof SubscriptionChangeResultSchema>;

export const SubscriptionCreateBodySchema = z.strictObject({
  plan: PlanIdSchema,
  interval: BillingIntervalSchema.default('month'),
  /** Required for a paid plan. */
  payment: PaymentChoiceSchema.optional(),
});
export type SubscriptionCreate = z.infer<typeof SubscriptionCreateBodySchema>;

export const SubscriptionUpgradeBodySchema = z.strictObject({
  plan: PlanIdSchema,
  /** Defaults to the current interval; month → year is an upgrade too. */
  interval: BillingIntervalSchema.optional(),
  payment: PaymentChoiceSchema.optional(),
});
export type SubscriptionUpgrade = z.infer<typeof SubscriptionUpgradeBodySchema>;

export const SubscriptionDowngradeBodySchema = z.strictObject({
  plan: PlanIdSchema,
  interval: BillingIntervalSchema.optional(),
});
export type SubscriptionDowngrade = z.infer<typeof SubscriptionDowngradeBodySchema>;

export const SubscriptionCancelBodySchema = z
  .strictObject({
    /** false (default): at the period end; true: now, without refund. */
    immediate: z.boolean().default(false),
    reason: boundedText(500).optional(),
  })
  .default({ immediate: false });
export type SubscriptionCancel = z.infer<typeof SubscriptionCancelBodySchema>;

export const SubscriptionAdminUpdateBodySchema = z
  .strictObject({
    plan: PlanIdSchema.optional(),
    interval: BillingIntervalSchema.optional(),
    priceAmount: z.number().int().min(0).max(100_000_000).optional(),
    currentPeriodEnd: z.number().int().positive().optional(),
    status: SubscriptionStatusSchema.optional(),
    /** Per-org flag overrides: true grants, false removes, null drops the override. */
    features: safeRecord(
      z.record(FlagNameSchema, z.boolean().nullable()).refine((f) => Object.keys(f).length <= 100, 'at most 100 flags'),
    ).optional(),
    reason: boundedText(500, 3),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'reason'), 'name at least one field to change besides the reason');
export type SubscriptionAdminUpdate = z.infer<typeof SubscriptionAdminUpdateBodySchema>;

const SubscriptionPaymentIdSchema = z
  .string()
  .regex(/^spay_[a-z0-9]{1,64}$/, 'must be a subscription payment id (spay_…)');

/** After the customer confirmed the PaymentIntent (Stripe Elements). */
export const SubscriptionCompletePaymentBodySchema = z.strictObject({
  paymentId: SubscriptionPaymentIdSchema,
  paymentIntentId: safeString().min(1).max(GATEWAY_PAYMENT_ID_MAX),
  gateway: z.enum(['stripe', 'sandbox']),
});

/** After the customer came back from the hosted payment page; `checkoutSessionId` is what the gateway returned. */
export const SubscriptionCompleteCheckoutBodySchema = z.strictObject({
  paymentId: SubscriptionPaymentIdSchema,
  checkoutSessionId: safeString().min(1).max(255),
  gateway: z.enum(['stripe', 'sandbox']),
});

export const SubscriptionPaymentCompletionSchema = z.object({
  paymentId: z.string(),
  status: z.enum(['succeeded', 'pending']),
  /** True only for the call that applied the payment; repeats answer false with the same state. */
  applied: z.boolean(),
  subscription: SubscriptionSchema.nullable(),
});

/** `subscriptions.payment.settle` (System, NATS only): billing forwards a verified Stripe webhook about a subscription payment. */
export const SubscriptionPaymentSettleBodySchema = z.strictObject({
  paymentId: SubscriptionPaymentIdSchema,
  gatewayPaymentId: safeString().min(1).max(GATEWAY_PAYMENT_ID_MAX),
});
export const SubscriptionPaymentSettleResultSchema = z.object({
  paymentId: z.string(),
  status: z.enum(['succeeded', 'failed', 'pending']),
  applied: z.boolean(),
});

/**
 * `subscriptions.registration.start` (orgs, System): starts the subscription of an org registered
 * with a plan, before the registration answers; idempotent with the org.created path.
 */
export const RegistrationSubscriptionBodySchema = z.strictObject({
  orgId: z.string().regex(ORG_ID_PATTERN),
  planId: PlanIdSchema,
  interval: BillingIntervalSchema,
  changedBy: z.string().min(1).max(200),
});
export const RegistrationSubscriptionResultSchema = z.object({ started: z.boolean() });

const RENEWAL_DEBIT_PREFIX = 'renewal:';

/** The credit debit of a renewal: billing honours each reference once, so no period is charged twice. */
export function renewalDebitReference(subscriptionId: string, periodEnd: number): string {
  return `${RENEWAL_DEBIT_PREFIX}${subscriptionId}:${periodEnd}`;
}

/** A declined debit with this reference is a failed renewal, which subscription.payment_failed reports. */
export function isRenewalDebitReference(reference: string): boolean {
  return reference.startsWith(RENEWAL_DEBIT_PREFIX);
}

import { z } from 'zod';
import { pageOf, PageQuerySchema } from '../common/pagination';
import { PaymentGatewayNameSchema } from './schemas';

/** Add-on services: billing owns the catalogue (prices, billing mode, terms versions) and the purchases. */

export const ADDON_CATEGORIES = ['support', 'storage', 'domains', 'ai'] as const;
export const AddonCategorySchema = z.enum(ADDON_CATEGORIES);
export type AddonCategory = z.infer<typeof AddonCategorySchema>;

export const ADDON_BILLING_MODES = ['one-off', 'recurring'] as const;
export const AddonBillingModeSchema = z.enum(ADDON_BILLING_MODES);

/** A catalogue key such as `premium-ai-models`. */
export const AddonServiceNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,63}$/, 'must be an add-on name such as premium-ai-models');

export const AddonServiceNameParamsSchema = z.strictObject({ serviceName: AddonServiceNameSchema });

export const AddonPriceSchema = z.object({
  /** Integer minor units (cents). */
  amount: z.number().int().nonnegative(),
  currency: z.string(),
  /** Recurring add-ons renew every `interval`; one-off add-ons have none. */
  interval: z.enum(['month']).nullable(),
});

/** A version of an add-on's own terms; accepting a service means accepting its current version. */
export const AddonTermsSchema = z.object({
  version: z.string(),
  url: z.string(),
  summary: z.string(),
  publishedAt: z.number().int(),
});
export type AddonTerms = z.infer<typeof AddonTermsSchema>;

export const AddonSchema = z.object({
  serviceName: z.string(),
  name: z.string(),
  description: z.string(),
  category: AddonCategorySchema,
  billingMode: AddonBillingModeSchema,
  price: AddonPriceSchema,
  requiresAgreement: z.boolean(),
  /** The current terms version; null when the add-on has no terms of its own. */
  termsVersion: z.string().nullable(),
});
export type Addon = z.infer<typeof AddonSchema>;

export const AddonListQuerySchema = z.strictObject({ category: AddonCategorySchema.optional() });
export const AddonListSchema = z.object({ items: z.array(AddonSchema) });

export const AddonPricingSchema = AddonSchema.extend({ terms: AddonTermsSchema.nullable() });
export type AddonPricing = z.infer<typeof AddonPricingSchema>;

/** `billing.addon.terms` (System, NATS only): the current terms of add-ons (all, or those named), for orgs' agreements. */
export const AddonTermsQuerySchema = z.strictObject({
  serviceNames: z.array(AddonServiceNameSchema).min(1).max(50).optional(),
});
export const AddonTermsEntrySchema = z.object({
  serviceName: z.string(),
  name: z.string(),
  requiresAgreement: z.boolean(),
  terms: AddonTermsSchema.nullable(),
});
export type AddonTermsEntry = z.infer<typeof AddonTermsEntrySchema>;
/** Unknown names are simply absent. */
export const AddonTermsListSchema = z.object({ items: z.array(AddonTermsEntrySchema) });

export const PURCHASE_STATUSES = ['pending', 'active', 'suspended', 'expired', 'failed'] as const;
export const PurchaseStatusSchema = z.enum(PURCHASE_STATUSES);
export type PurchaseStatus = z.infer<typeof PurchaseStatusSchema>;

export const PAYMENT_SOURCES = ['gateway', 'credits'] as const;
export const PaymentSourceSchema = z.enum(PAYMENT_SOURCES);

const PaymentMethodIdSchema = z
  .string()
  .regex(/^pm_[A-Za-z0-9_]{1,100}$/, 'must be a payment method id such as pm_card_visa');

export const AddonPurchaseBodySchema = z.discriminatedUnion('paymentSource', [
  z.strictObject({
    serviceName: AddonServiceNameSchema,
    paymentSource: z.literal('gateway'),
    /** Defaults to the configured gateway; naming another one is refused. */
    gateway: PaymentGatewayNameSchema.optional(),
    paymentMethodId: PaymentMethodIdSchema,
  }),
  z.strictObject({ serviceName: AddonServiceNameSchema, paymentSource: z.literal('credits') }),
]);
export type AddonPurchaseBody = z.infer<typeof AddonPurchaseBodySchema>;

export const AddonPurchaseSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  serviceName: z.string(),
  status: PurchaseStatusSchema,
  billingMode: AddonBillingModeSchema,
  amount: z.number().int(),
  currency: z.string(),
  paymentSource: PaymentSourceSchema,
  gateway: PaymentGatewayNameSchema.nullable(),
  paymentIntentId: z.string().nullable(),
  /** The terms version accepted when the purchase started; null for add-ons without terms. */
  termsVersion: z.string().nullable(),
  /** Start and end of the paid period; a one-off add-on's period has no end. */
  periodStart: z.number().int().nullable(),
  periodEnd: z.number().int().nullable(),
  purchasedBy: z.string(),
  /** Why a failed payment failed (the card's decline code, `canceled: …`). */
  failureReason: z.string().nullable(),
  createdAt: z.number().int(),
  completedAt: z.number().int().nullable(),
});
export type AddonPurchase = z.infer<typeof AddonPurchaseSchema>;

export const AddonPurchaseStartedSchema = z.object({
  purchase: AddonPurchaseSchema,
  /** For a gateway payment: the client confirms with this, then calls complete-payment; null when paid with credits. */
  paymentIntentClientSecret: z.string().nullable(),
});
export type AddonPurchaseStarted = z.infer<typeof AddonPurchaseStartedSchema>;

export const AddonCompletePaymentBodySchema = z.strictObject({
  purchaseId: z.string().regex(/^pur_[a-z0-9]{1,64}$/, 'must be a purchase id such as pur_abc123'),
});

export const AddonPurchasedQuerySchema = PageQuerySchema.extend({
  status: PurchaseStatusSchema.optional(),
  serviceName: AddonServiceNameSchema.optional(),
});
export type AddonPurchasedQuery = z.infer<typeof AddonPurchasedQuerySchema>;
export const AddonPurchaseListSchema = pageOf(AddonPurchaseSchema);

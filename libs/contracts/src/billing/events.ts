import { z } from 'zod';
import { defineEvent } from '../common/events';

/** Published by billing; orgs may suspend with QUOTA_EXCEEDED when the org's policy says so. */
export const BillingDebitDeclinedEvent = defineEvent(
  'billing.debit_declined',
  1,
  'An internal debit was refused because the balance did not cover it; nothing was debited.',
  z.object({
    orgId: z.string(),
    reference: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    balance: z.number().int(),
    declinedAt: z.number().int(),
  }),
);

/** Published by billing in the same transaction as every change of an org's credit balance. */
export const BillingBalanceChangedEvent = defineEvent(
  'billing.balance_changed',
  1,
  "An org's credit balance changed by `delta` minor units (negative for debits); `transactionId` explains it.",
  z.object({
    orgId: z.string(),
    transactionId: z.string(),
    transactionType: z.enum(['purchase', 'gift', 'adjustment', 'refund', 'debit']),
    delta: z.number().int(),
    balance: z.number().int(),
    currency: z.string(),
    changedAt: z.number().int(),
    changedBy: z.string().nullable(),
  }),
);

const AddonPurchaseEventSchema = z.object({
  orgId: z.string(),
  purchaseId: z.string(),
  serviceName: z.string(),
  billingMode: z.enum(['one-off', 'recurring']),
  amount: z.number().int(),
  currency: z.string(),
  paymentSource: z.enum(['gateway', 'credits']),
  termsVersion: z.string().nullable(),
});

/** Published by billing when a purchase is paid; services enable the add-on for the period. */
export const ServicePurchasedEvent = defineEvent(
  'services.purchased',
  1,
  'An add-on purchase was paid (once per purchase); the add-on is enabled for the org from periodStart to periodEnd (null: no end).',
  AddonPurchaseEventSchema.extend({
    periodStart: z.number().int(),
    periodEnd: z.number().int().nullable(),
    completedAt: z.number().int(),
  }),
);

/** Published by billing when the gateway reports an add-on payment as failed; nothing was enabled. */
export const ServicePurchaseFailedEvent = defineEvent(
  'services.purchase_failed',
  1,
  'An add-on payment was declined or cancelled at the gateway; the purchase is failed and nothing was enabled.',
  AddonPurchaseEventSchema.extend({ failedAt: z.number().int(), reason: z.string() }),
);

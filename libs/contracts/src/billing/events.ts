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

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

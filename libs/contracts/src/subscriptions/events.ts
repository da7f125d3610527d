import { z } from 'zod';
import { defineEvent } from '../common/events';

export const SUBSCRIPTION_CHANGES = [
  'created',
  'upgraded',
  'downgrade_scheduled',
  'downgraded',
  'cancel_scheduled',
  'cancelled',
  'renewed',
  'admin_updated',
  'reactivated',
] as const;

/** Shared by orgs (effective feature flags) and the gateway's org-state cache. */
export const SubscriptionChangedEvent = defineEvent(
  'subscription.changed',
  1,
  "An org's subscription changed; `features` are the default flags its current plan grants.",
  z.object({
    orgId: z.string(),
    subscriptionId: z.string(),
    change: z.enum(SUBSCRIPTION_CHANGES),
    plan: z.string(),
    status: z.string(),
    features: z.array(z.string()),
    currentPeriodEnd: z.number().int().nullable(),
    changedBy: z.string(),
    /**
     * Per-org flag overrides set by an operator through subscription/admin/update (true grants,
     * false removes, null drops the override); orgs applies them. Absent on every other change.
     */
    featureOverrides: z.record(z.string(), z.boolean().nullable()).optional(),
  }),
);

export const SubscriptionPaymentFailedEvent = defineEvent(
  'subscription.payment_failed',
  1,
  'A renewal or subscription charge failed; orgs suspends the org with PAYMENT_FAILED.',
  z.object({
    orgId: z.string(),
    subscriptionId: z.string(),
    plan: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    reason: z.string(),
    attemptedAt: z.number().int(),
  }),
);

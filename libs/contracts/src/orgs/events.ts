import { z } from 'zod';
import { defineEvent } from '../common/events';
import { PreviousOwnerOutcomeSchema } from './ownership';
import { ServiceStatusSchema, SuspensionTypeSchema } from './schemas';

export const OrgCreatedEvent = defineEvent(
  'org.created',
  1,
  'An organisation was registered (or the root org seeded on first start).',
  z.object({ orgId: z.string(), companyName: z.string(), platformEmail: z.string().nullable(), createdAt: z.number().int() }),
);

export const OrgUpdatedEvent = defineEvent(
  'org.updated',
  1,
  'Profile fields or feature overrides of an organisation changed; `changed` names the fields.',
  z.object({ orgId: z.string(), changed: z.array(z.string()), updatedAt: z.number().int(), changedBy: z.string() }),
);

/** Why a status changed; subscribers (subscriptions, the gateway's cache) act on it. */
export const STATUS_CHANGE_CAUSES = [
  'suspended', 'suspension_lifted', 'payment_failed', 'payment_recovered', 'quota_exceeded',
  'account_cancelled', 'account_reactivated', 'org_deleted',
] as const;

export const OrgStatusChangedEvent = defineEvent(
  'org.status_changed',
  1,
  "An org's service status changed (ACTIVE ⇄ SUSPENDED ⇄ INACTIVE); one status record was appended.",
  z.object({
    orgId: z.string(),
    status: ServiceStatusSchema,
    previousStatus: ServiceStatusSchema.nullable(),
    suspensionType: SuspensionTypeSchema.nullable(),
    cause: z.enum(STATUS_CHANGE_CAUSES),
    reason: z.string().nullable(),
    changedBy: z.string(),
    changedAt: z.number().int(),
  }),
);

export const OrgOwnershipTransferredEvent = defineEvent(
  'org.ownership_transferred',
  1,
  "The org passed to a new owner email (its owner record now names them, with the admin role); `previousOwner.outcome` says what the identity provider should do with the previous owner's access.",
  z.object({
    orgId: z.string(),
    transferId: z.string(),
    newOwner: z.object({ customerId: z.string(), email: z.string(), role: z.literal('admin') }),
    previousOwner: z.object({ email: z.string(), outcome: PreviousOwnerOutcomeSchema }),
    changedBy: z.string(),
    transferredAt: z.number().int(),
  }),
);

export const OrgEmailChangedEvent = defineEvent(
  'org.email_changed',
  1,
  "The org's primary (platform) email changed, without an ownership transfer.",
  z.object({
    orgId: z.string(),
    transferId: z.string(),
    previousEmail: z.string().nullable(),
    email: z.string(),
    changedBy: z.string(),
    changedAt: z.number().int(),
  }),
);

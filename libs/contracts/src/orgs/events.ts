import { z } from 'zod';
import { defineEvent } from '../common/events';
import { RegistrationPlanSchema, TeardownResourceSchema } from './lifecycle-schemas';
import { PreviousOwnerOutcomeSchema } from './ownership';
import { ServiceStatusSchema, SuspensionTypeSchema } from './schemas';

export const OrgCreatedEvent = defineEvent(
  'org.created',
  1,
  'An organisation was registered (or the root org seeded on first start). `plan` (optional): the plan the ' +
    'registration asked for; subscriptions starts it. `createdBy` (optional): who registered it.',
  z.object({
    orgId: z.string(),
    companyName: z.string(),
    platformEmail: z.string().nullable(),
    createdAt: z.number().int(),
    plan: RegistrationPlanSchema.optional(),
    createdBy: z.string().optional(),
  }),
);

export const OrgUpdatedEvent = defineEvent(
  'org.updated',
  1,
  'Profile fields or feature overrides of an organisation changed; `changed` names the fields.',
  z.object({ orgId: z.string(), changed: z.array(z.string()), updatedAt: z.number().int(), changedBy: z.string() }),
);

/** Why a status changed; subscribers (subscriptions, the gateway's cache) act on it. */
export const STATUS_CHANGE_CAUSES = [
  'suspended',
  'suspension_lifted',
  'payment_failed',
  'payment_recovered',
  'quota_exceeded',
  'account_cancelled',
  'account_reactivated',
  'org_deleted',
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

export const OrgDeletedEvent = defineEvent(
  'org.deleted',
  1,
  'An organisation was deleted (it is INACTIVE from now on). Each requested teardown is done by the ' +
    "resource kind's subscriber, which then publishes org.teardown_acknowledged.",
  z.object({
    orgId: z.string(),
    mode: z.enum(['soft', 'hard']),
    teardown: z.object({ sites: z.boolean(), devEnvironments: z.boolean(), kubernetesResources: z.boolean() }),
    /** soft deletes: when the retained data is purged. */
    retentionUntil: z.number().int().nullable(),
    reason: z.string(),
    deletedBy: z.string(),
    deletedAt: z.number().int(),
  }),
);

export const OrgTeardownAcknowledgedEvent = defineEvent(
  'org.teardown_acknowledged',
  1,
  "Published by a teardown subscriber once it removed (or failed to remove) a deleted org's resources of one kind.",
  z.object({
    orgId: z.string(),
    resource: TeardownResourceSchema,
    status: z.enum(['completed', 'failed']),
    detail: z.string().max(2000).nullable().optional(),
    /** Who did the teardown, e.g. `k8s-teardown`. */
    acknowledgedBy: z.string().min(1).max(200),
    acknowledgedAt: z.number().int(),
  }),
);

const AgreementEventSchema = z.object({
  orgId: z.string(),
  serviceName: z.string(),
  termsVersion: z.string(),
  recordId: z.string(),
  actor: z.string(),
  recordedAt: z.number().int(),
});

/** Published by orgs; services may enable an add-on whose terms the org now accepts. */
export const ServiceAgreementAcceptedEvent = defineEvent(
  'services.agreement_accepted',
  1,
  "An org accepted a version of an add-on's terms (one immutable acceptance record was appended).",
  AgreementEventSchema,
);

/** Published by orgs; services disable the add-on for the org (an active purchase is suspended). */
export const ServiceAgreementRevokedEvent = defineEvent(
  'services.agreement_revoked',
  1,
  "An org revoked its acceptance of an add-on's terms; the add-on is no longer available to it.",
  AgreementEventSchema.extend({ reason: z.string().nullable() }),
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

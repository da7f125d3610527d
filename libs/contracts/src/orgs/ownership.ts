import { z } from 'zod';
import { boundedText, safeString } from '../common/text';
import { CustomerSchema, EmailSchema, OrgIdSchema, ServiceStatusSchema } from './schemas';

/**
 * System-only RPCs (NATS only) through which the transfers service changes what the orgs service
 * owns: the owner (customer) record and the primary email. Each change carries the id of the
 * transfers service's audit record, so a retried call changes nothing twice.
 */

/** What happens to the previous owner: stated by the caller, echoed in the result and the event. */
export const PREVIOUS_OWNER_OUTCOMES = ['keep_as_admin', 'demote_to_member', 'remove_from_org'] as const;
export const PreviousOwnerOutcomeSchema = z.enum(PREVIOUS_OWNER_OUTCOMES);
export type PreviousOwnerOutcome = z.infer<typeof PreviousOwnerOutcomeSchema>;

const name = boundedText(100);
export const NewOwnerProfileSchema = z.strictObject({
  firstName: name.optional(),
  lastName: name.optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number')
    .optional(),
  jobTitle: name.optional(),
});

const ChangeIdSchema = z.string().regex(/^xfer_[a-z0-9]{1,64}$/);

export const OwnerChangeBodySchema = z.strictObject({
  orgId: OrgIdSchema,
  changeId: ChangeIdSchema,
  newOwnerEmail: EmailSchema,
  previousOwner: PreviousOwnerOutcomeSchema,
  newOwner: NewOwnerProfileSchema.optional(),
  changedBy: safeString().min(1).max(200),
});
export type OwnerChange = z.infer<typeof OwnerChangeBodySchema>;

/** The person who owned the org until this change (the owner record itself stays the org's). */
export const PreviousOwnerSchema = z.object({
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  jobTitle: z.string().nullable(),
  ownerSince: z.number().int(),
  outcome: PreviousOwnerOutcomeSchema,
});

export const OwnerChangeResultSchema = z.object({
  orgId: z.string(),
  /** The org's owner (customer) record, now naming the new owner with the admin role. */
  newOwner: CustomerSchema,
  previousOwner: PreviousOwnerSchema,
  transferredAt: z.number().int(),
});
export type OwnerChangeResult = z.infer<typeof OwnerChangeResultSchema>;

export const EmailChangeBodySchema = z.strictObject({
  orgId: OrgIdSchema,
  changeId: ChangeIdSchema,
  email: EmailSchema,
  changedBy: safeString().min(1).max(200),
});
export type EmailChange = z.infer<typeof EmailChangeBodySchema>;

export const EmailChangeResultSchema = z.object({
  orgId: z.string(),
  previousEmail: z.string().nullable(),
  email: z.string(),
  changedAt: z.number().int(),
});
export type EmailChangeResult = z.infer<typeof EmailChangeResultSchema>;

/** Which of these orgs exist, and their service status (an INACTIVE org is cancelled or deleted). */
export const OrgLookupBodySchema = z.strictObject({ orgIds: z.array(OrgIdSchema).min(1).max(20) });
export const OrgLookupResultSchema = z.object({
  orgs: z.array(z.object({ orgId: z.string(), exists: z.boolean(), serviceStatus: ServiceStatusSchema.nullable() })),
});
export type OrgLookupResult = z.infer<typeof OrgLookupResultSchema>;

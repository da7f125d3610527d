import { z } from 'zod';
import { boundedText } from '../common/text';
import { AddonServiceNameSchema, AddonTermsSchema } from '../billing/addon-schemas';

/**
 * Service agreements: orgs records, append-only, every acceptance and revocation of an add-on's own
 * terms; the terms themselves (versions, text) come from billing's add-on catalogue.
 */

export const AGREEMENT_ACTIONS = ['accepted', 'revoked'] as const;
export const AgreementActionSchema = z.enum(AGREEMENT_ACTIONS);

/** One immutable record: who accepted or revoked which version, when, and from where. */
export const AgreementRecordSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  serviceName: z.string(),
  action: AgreementActionSchema,
  termsVersion: z.string(),
  actor: z.string(),
  actorEmail: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  reason: z.string().nullable(),
  recordedAt: z.number().int(),
});
export type AgreementRecord = z.infer<typeof AgreementRecordSchema>;

/**
 * - accepted:     the current terms version is accepted;
 * - outdated:     an older version is accepted; the current version needs a new acceptance;
 * - revoked:      the last acceptance was revoked;
 * - not_accepted: never accepted;
 * - not_required: the add-on has no terms of its own.
 */
export const AGREEMENT_STATUSES = ['accepted', 'outdated', 'revoked', 'not_accepted', 'not_required'] as const;
export const AgreementStatusSchema = z.enum(AGREEMENT_STATUSES);
export type AgreementStatus = z.infer<typeof AgreementStatusSchema>;

export const AgreementSchema = z.object({
  serviceName: z.string(),
  status: AgreementStatusSchema,
  currentTermsVersion: z.string().nullable(),
  acceptedTermsVersion: z.string().nullable(),
  /** The latest record (acceptance or revocation), or null. */
  latest: AgreementRecordSchema.nullable(),
});
export type Agreement = z.infer<typeof AgreementSchema>;

export const AgreementListSchema = z.object({ items: z.array(AgreementSchema) });

export const AgreementDetailSchema = AgreementSchema.extend({
  terms: AddonTermsSchema.nullable(),
  /** Every record for this service, newest first. */
  history: z.array(AgreementRecordSchema),
});
export type AgreementDetail = z.infer<typeof AgreementDetailSchema>;

export const AgreementParamsSchema = z.strictObject({ serviceName: AddonServiceNameSchema });

export const AgreementAcceptBodySchema = z.strictObject({
  /** The version the user was shown; refused with 409 when the terms changed since. */
  termsVersion: boundedText(50),
});

export const AgreementRevokeBodySchema = z.strictObject({ reason: boundedText(500).optional() }).optional();

/**
 * `orgs.agreement.status` (System, NATS only): the latest agreement record of an org for each named
 * service, for billing's purchase gate and entitlements.
 */
export const AgreementStatusQuerySchema = z.strictObject({
  serviceNames: z.array(AddonServiceNameSchema).min(1).max(50),
});
export const AgreementStatusListSchema = z.object({
  items: z.array(z.object({ serviceName: z.string(), latest: AgreementRecordSchema.nullable() })),
});

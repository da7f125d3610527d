import { z } from 'zod';
import { ORG_ID_PATTERN } from '../common/ids';
import { pageOf, PageQuerySchema } from '../common/pagination';
import { boundedText, safeRecord, safeString } from '../common/text';

export const OrgIdSchema = z.string().regex(ORG_ID_PATTERN, 'must be an org id such as org_abc123');

export const BUSINESS_VERTICALS = [
  'technology',
  'finance',
  'healthcare',
  'retail',
  'ecommerce',
  'education',
  'manufacturing',
  'real_estate',
  'hospitality',
  'professional_services',
  'media',
  'nonprofit',
  'government',
  'other',
] as const;
export const BusinessVerticalSchema = z.enum(BUSINESS_VERTICALS);

export const SERVICE_STATUSES = ['ACTIVE', 'SUSPENDED', 'INACTIVE'] as const;
export const ServiceStatusSchema = z.enum(SERVICE_STATUSES);
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const SUSPENSION_TYPES = ['QUOTA_EXCEEDED', 'PAYMENT_FAILED', 'POLICY_VIOLATION', 'MANUAL'] as const;
export const SuspensionTypeSchema = z.enum(SUSPENSION_TYPES);

export const OrganizationServiceStatusRecordSchema = z.object({
  id: z.string(),
  status: ServiceStatusSchema,
  previousStatus: ServiceStatusSchema.nullable(),
  suspensionType: SuspensionTypeSchema.nullable(),
  timestamp: z.number().int(),
  reason: z.string(),
  changedBy: z.string(),
  isCurrent: z.boolean(),
});
export type OrganizationServiceStatusRecord = z.infer<typeof OrganizationServiceStatusRecordSchema>;

const MetadataValueSchema = z.union([safeString().max(500), z.number().finite(), z.boolean(), z.null()]);
/** Stored as jsonb, which refuses NUL and lone surrogates in keys and values alike. */
export const MetadataSchema = safeRecord(
  z
    .record(safeString().min(1).max(40), MetadataValueSchema)
    .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys'),
);

export const FeatureFlagNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _');

/** The Organization object of organization-object.txt, plus the profile fields the API names. */
export const OrganizationSchema = z.object({
  id: z.string(),
  companyName: z.string().min(2),
  businessVerticalId: BusinessVerticalSchema.nullable(),
  metadata: z.record(z.string(), z.unknown()),
  serviceStatus: ServiceStatusSchema,
  lastServiceStatusChanged: z.number().int().nullable(),
  serviceStatusHistory: z.array(OrganizationServiceStatusRecordSchema).nullable(),
  platformEmail: z.string().nullable(),
  displayName: z.string().nullable(),
  interests: z.array(z.string()),
  /** Effective feature flags. */
  features: z.array(z.string()),
  /** Per-org overrides: true grants a flag, false removes it. */
  featureOverrides: z.record(z.string(), z.boolean()),
  /** Root-settable: what orgs does when billing declines an internal debit for lack of balance. */
  policy: z.object({ suspendOnQuotaExceeded: z.boolean() }),
  /** Set once the org is deleted (POST /delete); a deleted org stays INACTIVE. */
  deletedAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Organization = z.infer<typeof OrganizationSchema>;

/** The org owner. */
export const CustomerSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  jobTitle: z.string().nullable(),
  role: z.literal('admin'),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const ADDRESS_TYPES = ['billing', 'shipping', 'mailing'] as const;
export const AddressSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  customerId: z.string(),
  type: z.enum(ADDRESS_TYPES),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postalCode: z.string(),
  country: z.string(),
  isDefault: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Address = z.infer<typeof AddressSchema>;

export const ProfileSchema = z.object({
  company: OrganizationSchema,
  customer: CustomerSchema.nullable(),
  address: AddressSchema.nullable(),
});
export type Profile = z.infer<typeof ProfileSchema>;

const EmailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const CompanyNameSchema = safeString().trim().min(2, 'must be at least 2 characters').max(200);

export const CheckOrgNameParamsSchema = z.strictObject({ orgName: CompanyNameSchema });
export const CheckOrgNameResponseSchema = z.object({ orgName: z.string(), available: z.boolean() });

export const ProfileParamsSchema = z.strictObject({ orgId: OrgIdSchema.optional() });

export const ProfileUpdateBodySchema = z
  .strictObject({
    companyName: CompanyNameSchema.optional(),
    displayName: boundedText(200).nullable().optional(),
    businessVerticalId: BusinessVerticalSchema.nullable().optional(),
    interests: z.array(boundedText(50)).max(50).optional(),
    metadata: MetadataSchema.optional(),
    platformEmail: EmailSchema.nullable().optional(),
    /** Root roles only: true grants, false removes, null clears the override. */
    features: safeRecord(
      z
        .record(FeatureFlagNameSchema, z.boolean().nullable())
        .refine((f) => Object.keys(f).length <= 100, 'at most 100 flags'),
    ).optional(),
    /** Root roles only. */
    policy: z.strictObject({ suspendOnQuotaExceeded: z.boolean() }).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');
export type ProfileUpdate = z.infer<typeof ProfileUpdateBodySchema>;

export const CustomerUpdateBodySchema = z
  .strictObject({
    firstName: boundedText(100).nullable().optional(),
    lastName: boundedText(100).nullable().optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number')
      .nullable()
      .optional(),
    jobTitle: boundedText(100).nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');
export type CustomerUpdate = z.infer<typeof CustomerUpdateBodySchema>;

export const AddressCreateBodySchema = z.strictObject({
  type: z.enum(ADDRESS_TYPES),
  line1: boundedText(200),
  line2: boundedText(200).nullable().optional(),
  city: boundedText(100),
  region: boundedText(100).nullable().optional(),
  postalCode: boundedText(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'),
  isDefault: z.boolean().default(false),
});
export type AddressCreate = z.infer<typeof AddressCreateBodySchema>;

export const AddressListQuerySchema = PageQuerySchema.extend({ type: z.enum(ADDRESS_TYPES).optional() });
export const AddressPageSchema = pageOf(AddressSchema);

export const OrgRegisterBodySchema = z.strictObject({
  companyName: CompanyNameSchema,
  ownerEmail: EmailSchema,
  platformEmail: EmailSchema.optional(),
  businessVerticalId: BusinessVerticalSchema.nullable().optional(),
  displayName: boundedText(200).nullable().optional(),
  metadata: MetadataSchema.optional(),
});
export type OrgRegister = z.infer<typeof OrgRegisterBodySchema>;

export { EmailSchema };

/**
 * `orgs.state.get` (System, NATS only): what the gateway caches per org and passes to services
 * with each request as `orgState`: the service status and the effective feature flags.
 */
export const OrgStateSchema = z.object({
  orgId: z.string(),
  serviceStatus: ServiceStatusSchema,
  suspensionType: SuspensionTypeSchema.nullable(),
  features: z.array(z.string()),
});
export type OrgState = z.infer<typeof OrgStateSchema>;

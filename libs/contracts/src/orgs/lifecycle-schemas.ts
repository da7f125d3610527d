import { z } from 'zod';
import { pageOf, PageQuerySchema } from '../common/pagination';
import { SubscriptionChangedEvent } from '../subscriptions/events';
import { BillingIntervalSchema, PlanIdSchema } from '../subscriptions/schemas';
import { boundedText } from '../common/text';
import {
  EmailSchema,
  OrganizationSchema,
  OrgIdSchema,
  OrgRegisterBodySchema,
  ServiceStatusSchema,
  SuspensionTypeSchema,
} from './schemas';

/** Suspension types an operator may set by hand; the others follow from billing and subscription events. */
export const OPERATOR_SUSPENSION_TYPES = ['MANUAL', 'POLICY_VIOLATION'] as const;

export const StatusSuspendBodySchema = z.strictObject({
  suspensionType: z.enum(OPERATOR_SUSPENSION_TYPES),
  reason: boundedText(1000),
});
export type StatusSuspend = z.infer<typeof StatusSuspendBodySchema>;

export const StatusLiftBodySchema = z.strictObject({ reason: boundedText(1000) });

/** What every status-changing endpoint answers: the org's status now and the record just appended. */
export const ServiceStatusViewSchema = z.object({
  orgId: z.string(),
  serviceStatus: ServiceStatusSchema,
  suspensionType: SuspensionTypeSchema.nullable(),
  lastServiceStatusChanged: z.number().int().nullable(),
});
export type ServiceStatusView = z.infer<typeof ServiceStatusViewSchema>;

export const AccountCancelBodySchema = z.strictObject({
  reason: boundedText(1000),
  /** Asks the operators to delete the org's data (they do it with POST /delete); recorded, not immediate. */
  deleteData: z.boolean().default(false),
});
export type AccountCancel = z.infer<typeof AccountCancelBodySchema>;

export const AccountReactivateBodySchema = z.strictObject({ reason: boundedText(1000) });

export const CancellationSchema = z.object({
  reason: z.string(),
  dataDeletionRequested: z.boolean(),
  cancelledBy: z.string(),
  cancelledAt: z.number().int(),
  reactivatedBy: z.string().nullable(),
  reactivatedAt: z.number().int().nullable(),
  reactivationReason: z.string().nullable(),
});
export type Cancellation = z.infer<typeof CancellationSchema>;

export const AccountStateSchema = ServiceStatusViewSchema.extend({ cancellation: CancellationSchema });
export type AccountState = z.infer<typeof AccountStateSchema>;

// ---- Pre-approved signups ----

/** Generated codes: 3 groups of 4 from an alphabet without look-alikes (~60 bits). */
export const SignupCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'must be a signup code such as ABCD-EFGH-JKMN');

const signupLimits = {
  /** 1 = single use. */
  maxUses: z.number().int().min(1).max(100_000).default(1),
  /** Unix ms; must lie in the future. */
  expiresAt: z.number().int().positive().nullable().default(null),
  note: boundedText(500).nullable().default(null),
};

export const SignupCreateBodySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('email'), email: EmailSchema, ...signupLimits }),
  z.strictObject({ kind: z.literal('code'), ...signupLimits }),
]);
export type SignupCreate = z.infer<typeof SignupCreateBodySchema>;

export const SIGNUP_STATES = ['active', 'exhausted', 'expired', 'removed'] as const;

export const PreApprovedSignupSchema = z.object({
  id: z.string(),
  kind: z.enum(['email', 'code']),
  email: z.string().nullable(),
  code: z.string().nullable(),
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: z.number().int().nullable(),
  note: z.string().nullable(),
  state: z.enum(SIGNUP_STATES),
  createdBy: z.string(),
  createdAt: z.number().int(),
  removedAt: z.number().int().nullable(),
});
export type PreApprovedSignup = z.infer<typeof PreApprovedSignupSchema>;

export const SignupIdSchema = z.string().regex(/^sgn_[a-z0-9]{1,64}$/, 'must be a signup id such as sgn_abc123');
export const SignupRemoveBodySchema = z.strictObject({ id: SignupIdSchema });

export const SignupListQuerySchema = PageQuerySchema.extend({
  kind: z.enum(['email', 'code']).optional(),
  state: z.enum(SIGNUP_STATES).optional(),
  email: EmailSchema.optional(),
});
export type SignupListQuery = z.infer<typeof SignupListQuerySchema>;
export const SignupPageSchema = pageOf(PreApprovedSignupSchema);

export const SignupValidateBodySchema = z.union([
  z.strictObject({ email: EmailSchema }),
  z.strictObject({ code: SignupCodeSchema }),
]);
export type SignupValidate = z.infer<typeof SignupValidateBodySchema>;
export const SignupValidateResponseSchema = z.object({ valid: z.boolean() });

// ---- Deletion and teardown ----

export const TEARDOWN_RESOURCES = ['sites', 'devEnvironments', 'kubernetesResources'] as const;
export const TeardownResourceSchema = z.enum(TEARDOWN_RESOURCES);
export type TeardownResource = z.infer<typeof TeardownResourceSchema>;

export const TeardownOptionsSchema = z.strictObject({
  sites: z.boolean().default(false),
  devEnvironments: z.boolean().default(false),
  kubernetesResources: z.boolean().default(false),
});
export type TeardownOptions = z.infer<typeof TeardownOptionsSchema>;

export const OrgDeleteBodySchema = z.strictObject({
  orgId: OrgIdSchema,
  reason: boundedText(1000),
  /** soft: data kept for `retentionDays`, then purged; hard: the owner's personal data is purged now. */
  mode: z.enum(['soft', 'hard']).default('soft'),
  retentionDays: z.number().int().min(1).max(365).default(30),
  teardown: TeardownOptionsSchema.default({ sites: false, devEnvironments: false, kubernetesResources: false }),
});
export type OrgDelete = z.infer<typeof OrgDeleteBodySchema>;

export const TEARDOWN_TASK_STATES = ['pending', 'completed', 'failed'] as const;

export const TeardownStatusSchema = z.object({
  orgId: z.string(),
  mode: z.enum(['soft', 'hard']),
  reason: z.string(),
  requestedBy: z.string(),
  requestedAt: z.number().int(),
  retentionUntil: z.number().int().nullable(),
  /** When the personal data was purged: at once for hard deletes, after retentionUntil for soft ones. */
  purgedAt: z.number().int().nullable(),
  teardown: z.object({ sites: z.boolean(), devEnvironments: z.boolean(), kubernetesResources: z.boolean() }),
  /** completed once every requested resource kind acknowledged; failed when any reported a failure. */
  status: z.enum(['in_progress', 'completed', 'failed']),
  resources: z.array(
    z.object({
      resource: TeardownResourceSchema,
      status: z.enum(TEARDOWN_TASK_STATES),
      detail: z.string().nullable(),
      acknowledgedBy: z.string().nullable(),
      acknowledgedAt: z.number().int().nullable(),
    }),
  ),
});
export type TeardownStatus = z.infer<typeof TeardownStatusSchema>;

export const TeardownParamsSchema = z.strictObject({ orgId: OrgIdSchema });

/** org-register with an optional signup code; see docs/api.md "Pre-approved signups" for when one is required. */
export const RegistrationPlanSchema = z.strictObject({
  planId: PlanIdSchema,
  interval: BillingIntervalSchema.default('month'),
});
export type RegistrationPlan = z.infer<typeof RegistrationPlanSchema>;

export const OrgRegisterWithSignupBodySchema = OrgRegisterBodySchema.extend({
  signupCode: SignupCodeSchema.optional(),
  /** The plan the org starts on: subscriptions starts it, without a payment step, on org.created. */
  plan: RegistrationPlanSchema.optional(),
});
export type OrgRegisterWithSignup = z.infer<typeof OrgRegisterWithSignupBodySchema>;

/** The registered org, and the plan its subscription will start on (null: none requested). */
export const OrgRegisteredSchema = OrganizationSchema.extend({ plan: RegistrationPlanSchema.nullable() });
export type OrgRegistered = z.infer<typeof OrgRegisteredSchema>;

/** A subscription.changed handed to orgs directly (the envelope's id and occurredAt, and its data). */
export const SubscriptionChangeDeliveryBodySchema = z.strictObject({
  eventId: z.string().regex(/^evt_[a-z0-9]{20}$/, 'must be an event id (evt_…)'),
  occurredAt: z.number().int(),
  change: SubscriptionChangedEvent.schema,
});
/** `applied: false`: the event had been applied already (the event path came first). */
export const SubscriptionChangeDeliveryResultSchema = z.object({ applied: z.boolean() });

import { z } from 'zod';
import { boundedText } from '../common/text';
import { ErrorBodySchema } from '../common/errors';
import { pageOf, PageQuerySchema } from '../common/pagination';
import {
  EmailChangeResultSchema,
  NewOwnerProfileSchema,
  OwnerChangeResultSchema,
  PreviousOwnerOutcomeSchema,
} from '../orgs/ownership';
import { EmailSchema, OrgIdSchema } from '../orgs/schemas';
import { TransferDatatypeSchema, TransferModeSchema } from './datatypes';
import { MAX_TRANSFER_BATCH, TransferIdSchema } from './participant';

const ReasonSchema = boundedText(500);

export const OwnershipTransferBodySchema = z.strictObject({
  newOwnerEmail: EmailSchema,
  /** Required: the caller says what becomes of the previous owner. */
  previousOwner: PreviousOwnerOutcomeSchema,
  newOwner: NewOwnerProfileSchema.optional(),
  reason: ReasonSchema.optional(),
});
export const OwnershipTransferResultSchema = OwnerChangeResultSchema.extend({
  transferId: TransferIdSchema,
  transferredBy: z.string(),
});

export const ChangeEmailBodySchema = z.strictObject({ email: EmailSchema, reason: ReasonSchema.optional() });
export const ChangeEmailResultSchema = EmailChangeResultSchema.extend({
  transferId: TransferIdSchema,
  changedBy: z.string(),
});

const BatchSizeSchema = z.number().int().min(1).max(MAX_TRANSFER_BATCH).default(500);

const differentOrgs = (body: { sourceOrgId: string; targetOrgId: string }) => body.sourceOrgId !== body.targetOrgId;
const sameOrgIssue = { message: 'must differ from sourceOrgId', path: ['targetOrgId'] };

export const CreateJobBodySchema = z
  .strictObject({
    datatype: TransferDatatypeSchema,
    mode: TransferModeSchema,
    sourceOrgId: OrgIdSchema,
    targetOrgId: OrgIdSchema,
    batchSize: BatchSizeSchema,
  })
  .refine(differentOrgs, sameOrgIssue);

export const CreateBulkJobBodySchema = z
  .strictObject({
    datatypes: z
      .array(TransferDatatypeSchema)
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'each datatype at most once'),
    mode: TransferModeSchema,
    sourceOrgId: OrgIdSchema,
    targetOrgId: OrgIdSchema,
    batchSize: BatchSizeSchema,
  })
  .refine(differentOrgs, sameOrgIssue);

/**
 * queued → running → completed | failed | cancelled; failed and cancelled jobs can be resumed
 * (→ queued) or rolled back (→ rolling_back → rolled_back | rollback_failed); completed ones rolled back.
 */
export const TRANSFER_JOB_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'rolling_back',
  'rolled_back',
  'rollback_failed',
] as const;
export const TransferJobStatusSchema = z.enum(TRANSFER_JOB_STATUSES);
export type TransferJobStatus = z.infer<typeof TransferJobStatusSchema>;

export const TRANSFER_STEP_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'rolled_back',
] as const;
export const TransferStepStatusSchema = z.enum(TRANSFER_STEP_STATUSES);
export type TransferStepStatus = z.infer<typeof TransferStepStatusSchema>;

export const TransferStepSchema = z.object({
  datatype: TransferDatatypeSchema,
  status: TransferStepStatusSchema,
  /** Records the source held when the job was created. */
  sourceCount: z.number().int(),
  /** Records transferred by committed batches (minus those rolled back). */
  transferred: z.number().int(),
  rolledBack: z.number().int(),
  batches: z.number().int(),
  /** Where the next batch starts; null before the first. */
  cursor: z.string().nullable(),
  error: ErrorBodySchema.nullable(),
});
export type TransferStep = z.infer<typeof TransferStepSchema>;

export const TransferJobSchema = z.object({
  id: z.string(),
  mode: TransferModeSchema,
  sourceOrgId: z.string(),
  targetOrgId: z.string(),
  status: TransferJobStatusSchema,
  batchSize: z.number().int(),
  datatypes: z.array(TransferStepSchema),
  totals: z.object({ sourceCount: z.number().int(), transferred: z.number().int(), rolledBack: z.number().int() }),
  error: ErrorBodySchema.nullable(),
  /** The latest transient failure the worker is retrying (a participant down or slow). */
  retrying: ErrorBodySchema.nullable(),
  cancelRequested: z.boolean(),
  requestedBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  startedAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
});
export type TransferJob = z.infer<typeof TransferJobSchema>;

export const TransferJobParamsSchema = z.strictObject({ id: TransferIdSchema });
export const TransferJobListQuerySchema = PageQuerySchema.extend({
  status: TransferJobStatusSchema.optional(),
  /** Jobs whose source or target is this org. */
  orgId: OrgIdSchema.optional(),
});
export const TransferJobPageSchema = pageOf(TransferJobSchema);

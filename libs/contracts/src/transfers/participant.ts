import { z } from 'zod';
import { safeString } from '../common/text';
import { endpoint } from '../common/endpoint';
import { OrgIdSchema } from '../orgs/schemas';
import { rolesOnly } from '../permissions';
import { TRANSFER_DATATYPES, TransferDatatype, TransferDatatypeSchema, TransferModeSchema } from './datatypes';

/**
 * The asset-transfer participant protocol. The service that stores a datatype answers three
 * System-only patterns for it over NATS:
 *
 * - describe: how many records of the datatype an org holds;
 * - batch:    transfers the next batch (at most `limit` records) from the source org to the target
 *             org in one local transaction and returns the cursor to continue from. A batch id the
 *             participant has already committed answers its first result again and changes nothing.
 *             copy gives every copied record a new id, derived from (transferId, source id), and
 *             remaps references to records of datatypes the same transfer carries; move keeps ids.
 *             `done` is true once the source has nothing left to transfer after `cursor`.
 * - rollback: undoes one committed batch (move: the records go back; copy: the copies are
 *             deleted); idempotent as well.
 */
export const MAX_TRANSFER_BATCH = 2000;

export const TransferIdSchema = z.string().regex(/^xfer_[a-z0-9]{1,64}$/, 'must be a transfer id such as xfer_abc123');
export const BatchIdSchema = safeString().min(1).max(200);

export const ParticipantDescribeBodySchema = z.strictObject({ datatype: TransferDatatypeSchema, orgId: OrgIdSchema });
export const ParticipantDescribeReplySchema = z.object({
  datatype: TransferDatatypeSchema,
  orgId: z.string(),
  count: z.number().int().min(0),
});
export type ParticipantDescribeReply = z.infer<typeof ParticipantDescribeReplySchema>;

export const ParticipantBatchBodySchema = z.strictObject({
  transferId: TransferIdSchema,
  batchId: BatchIdSchema,
  datatype: TransferDatatypeSchema,
  mode: TransferModeSchema,
  sourceOrgId: OrgIdSchema,
  targetOrgId: OrgIdSchema,
  /** Null for the first batch; then the `cursor` of the previous reply. */
  cursor: safeString().max(500).nullable(),
  limit: z.number().int().min(1).max(MAX_TRANSFER_BATCH),
  /** Every datatype the transfer carries: references to their records are remapped on copy. */
  datatypes: z.array(TransferDatatypeSchema).min(1),
});
export type ParticipantBatchRequest = z.infer<typeof ParticipantBatchBodySchema>;

export const ParticipantBatchReplySchema = z.object({
  batchId: z.string(),
  /** Records this batch transferred. */
  transferred: z.number().int().min(0),
  cursor: z.string().nullable(),
  done: z.boolean(),
  /** True when the batch had been committed before and nothing was done again. */
  replayed: z.boolean(),
});
export type ParticipantBatchReply = z.infer<typeof ParticipantBatchReplySchema>;

export const ParticipantRollbackBodySchema = z.strictObject({
  transferId: TransferIdSchema,
  batchId: BatchIdSchema,
  datatype: TransferDatatypeSchema,
});
export type ParticipantRollbackRequest = z.infer<typeof ParticipantRollbackBodySchema>;

export const ParticipantRollbackReplySchema = z.object({
  batchId: z.string(),
  /** Records put back (move) or copies deleted (copy). */
  restored: z.number().int().min(0),
  replayed: z.boolean(),
});
export type ParticipantRollbackReply = z.infer<typeof ParticipantRollbackReplySchema>;

/** The three System-only endpoints (NATS only) a participant answers for one datatype. */
export function participantEndpoints(datatype: TransferDatatype) {
  const service = TRANSFER_DATATYPES[datatype].service;
  const base = { service, access: rolesOnly('System'), internal: true } as const;
  const resource = `${service}.transfer-${datatype}`;
  return {
    describe: endpoint({
      ...base,
      method: 'POST',
      path: `/internal/transfer/${datatype}/describe`,
      pattern: `${resource}.describe`,
      summary: `How many ${datatype} an org holds.`,
      body: ParticipantDescribeBodySchema,
      response: ParticipantDescribeReplySchema,
    }),
    batch: endpoint({
      ...base,
      method: 'POST',
      path: `/internal/transfer/${datatype}/batch`,
      pattern: `${resource}.batch`,
      summary: `Transfers one batch of ${datatype} between orgs.`,
      body: ParticipantBatchBodySchema,
      response: ParticipantBatchReplySchema,
    }),
    rollback: endpoint({
      ...base,
      method: 'POST',
      path: `/internal/transfer/${datatype}/rollback`,
      pattern: `${resource}.rollback`,
      summary: `Undoes one committed batch of ${datatype}.`,
      body: ParticipantRollbackBodySchema,
      response: ParticipantRollbackReplySchema,
    }),
  };
}
export type ParticipantEndpoints = ReturnType<typeof participantEndpoints>;

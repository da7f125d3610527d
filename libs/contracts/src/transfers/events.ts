import { z } from 'zod';
import { defineEvent } from '../common/events';
import { TransferDatatypeSchema, TransferModeSchema } from './datatypes';

export const TransferCompletedEvent = defineEvent(
  'transfer.completed',
  1,
  'An asset transfer job finished: every datatype it carries was copied or moved from the source org to the target org.',
  z.object({
    transferId: z.string(),
    mode: TransferModeSchema,
    sourceOrgId: z.string(),
    targetOrgId: z.string(),
    datatypes: z.array(z.object({ datatype: TransferDatatypeSchema, transferred: z.number().int() })),
    requestedBy: z.string(),
    completedAt: z.number().int(),
  }),
);

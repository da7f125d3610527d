import { z } from 'zod';
import { ServiceName } from '../common/endpoint';

/**
 * Every datatype an asset transfer can carry, and the service that stores (and so transfers) it.
 * A platform service makes a datatype transferable by adding it here and answering the participant
 * patterns (see participant.ts and libs/transfer-participant).
 */
export const TRANSFER_DATATYPES = {
  addresses: {
    service: 'orgs',
    description: "The owner's address book; transferred addresses belong to the target org's owner.",
  },
  collections: {
    service: 'transfers',
    description: 'Collections of the generic record store (the reference participant).',
  },
  records: {
    service: 'transfers',
    description: 'Records of the generic record store; each names its collection and optionally a parent record.',
  },
} as const satisfies Record<string, { service: ServiceName; description: string }>;

export type TransferDatatype = keyof typeof TRANSFER_DATATYPES;
export const TRANSFER_DATATYPE_NAMES = Object.keys(TRANSFER_DATATYPES) as [TransferDatatype, ...TransferDatatype[]];

export const TransferDatatypeSchema = z.enum(TRANSFER_DATATYPE_NAMES, {
  error: () => `unknown datatype; one of: ${TRANSFER_DATATYPE_NAMES.join(', ')}`,
});

export const TRANSFER_MODES = ['copy', 'move'] as const;
export const TransferModeSchema = z.enum(TRANSFER_MODES);
export type TransferMode = z.infer<typeof TransferModeSchema>;

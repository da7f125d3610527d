import { CLOCK, Clock, DATABASE, Knex } from '@org-mgmt/runtime';
import { TransferParticipant, transferParticipantHandler, TransferTable } from '@org-mgmt/transfer-participant';

/**
 * The generic record store: org-scoped collections and JSON records (keys unique per org), where a
 * record names its collection and optionally a parent record. It is the reference participant the
 * tests and the benchmark drive; its tables live in the transfers schema.
 */
export const RECORD_STORE_TABLES: TransferTable[] = [
  { datatype: 'collections', table: 'record_collections', orderColumn: 'seq', generatedColumns: ['seq'] },
  {
    datatype: 'records',
    table: 'records',
    orderColumn: 'seq',
    generatedColumns: ['seq'],
    references: [
      { column: 'collection_id', datatype: 'collections', outside: 'clear' },
      { column: 'parent_id', datatype: 'records' },
    ],
  },
];

export const recordStoreParticipantProvider = {
  provide: TransferParticipant,
  useFactory: (db: Knex, clock: Clock) => new TransferParticipant(db, RECORD_STORE_TABLES, clock),
  inject: [DATABASE, CLOCK],
};

export const RecordStoreTransferHandler = transferParticipantHandler(['collections', 'records']);

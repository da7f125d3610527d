export * from './derived-id';
export * from './ledger';
export * from './transfer-table';
export * from './transfer-participant';
export * from './participant.handler';

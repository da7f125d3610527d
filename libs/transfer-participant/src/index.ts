export * from '../migrations/batch-log-table';
export * from './derived-id';
export * from './transfer-table';
export * from './transfer-participant';
export * from './participant.handler';

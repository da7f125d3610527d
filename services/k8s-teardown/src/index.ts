export * from './config';
export * from './kubernetes-teardown';
export * from './org-deleted.consumer';
export * from './worker';
export * from './swept-kinds';

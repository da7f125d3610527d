import 'reflect-metadata';

export * from './config';
export * from './logger';
export * from './settings';
export * from './bus/rpc-client';
export * from './bus/rpc-handler';
export * from './bus/in-process.transport';
export * from './bus/nats.transport';
export * from './db/database';
export * from './db/embedded-postgres';
export * from './events/event-bus';
export * from './events/outbox';
export * from './events/jetstream-bus';
export * from './events/in-process-bus';
export * from './service/tokens';
export * from './service/clock';
export * from './service/infrastructure';
export * from './service/service-host';

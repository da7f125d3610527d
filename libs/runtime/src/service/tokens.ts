/** Injection tokens of what the runtime gives every service. */
export const DATABASE = Symbol('DATABASE');
export const OUTBOX = Symbol('OUTBOX');
export const CONFIG = Symbol('CONFIG');
export const RPC_CLIENT = Symbol('RPC_CLIENT');
export const EVENT_BUS = Symbol('EVENT_BUS');
export const LOGGER = Symbol('LOGGER');
export const CLOCK = Symbol('CLOCK');

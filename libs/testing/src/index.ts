export * from './servers';
export * from './tokens';
export * from './http';
export * from './system';
export * from './permissions';
export * from './eventually';
export * from './stripe-fake';
export * from './callers';

export * from './payment-gateway';
export * from './stripe-gateway';
export * from './sandbox-gateway';
export * from './create-gateway';
export * from './payment-checks';

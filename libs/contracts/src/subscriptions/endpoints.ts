import { endpoint } from '../common/endpoint';
import { CONFIG_ADMIN, MEMBER, PUBLIC, rolesOnly } from '../permissions';

const subscriptions = 'subscriptions' as const;

export const SubscriptionEndpoints = {
  plans: endpoint({
    method: 'GET', path: '/subscription/plans', service: subscriptions, pattern: 'subscriptions.plan.list', access: PUBLIC,
    summary: 'The plan catalogue.', planned: true,
  }),
  current: endpoint({
    method: 'GET', path: '/subscription/current', service: subscriptions, pattern: 'subscriptions.subscription.current',
    access: MEMBER, summary: "The org's subscription.", planned: true,
  }),
  create: endpoint({
    method: 'POST', path: '/subscription/create', service: subscriptions, pattern: 'subscriptions.subscription.create',
    access: CONFIG_ADMIN, summary: 'Subscribes the org to a plan.', planned: true, idempotent: true,
  }),
  upgrade: endpoint({
    method: 'POST', path: '/subscription/upgrade', service: subscriptions, pattern: 'subscriptions.subscription.upgrade',
    access: CONFIG_ADMIN, summary: 'Immediate, prorated upgrade.', planned: true, idempotent: true,
  }),
  downgrade: endpoint({
    method: 'POST', path: '/subscription/downgrade', service: subscriptions, pattern: 'subscriptions.subscription.downgrade',
    access: CONFIG_ADMIN, summary: 'Downgrade at the end of the period.', planned: true,
  }),
  cancel: endpoint({
    method: 'POST', path: '/subscription/cancel', service: subscriptions, pattern: 'subscriptions.subscription.cancel',
    access: CONFIG_ADMIN, summary: 'Cancels at the end of the period (or immediately on request).', planned: true,
  }),
  adminUpdate: endpoint({
    method: 'POST', path: '/subscription/admin/update', service: subscriptions, pattern: 'subscriptions.subscription.admin-update',
    access: rolesOnly('RootAdmin', 'RootPowerUser'), summary: 'Operator override of plan, price, period, flags, status.', planned: true,
  }),
  completePayment: endpoint({
    method: 'POST', path: '/subscription/complete-payment', service: subscriptions, pattern: 'subscriptions.payment.complete',
    access: PUBLIC, summary: 'Finalises a subscription payment (verified server-side, exactly once).', planned: true,
  }),
  completeCheckout: endpoint({
    method: 'POST', path: '/subscription/complete-checkout', service: subscriptions, pattern: 'subscriptions.checkout.complete',
    access: PUBLIC, summary: 'Finalises a subscription checkout (verified server-side, exactly once).', planned: true,
  }),
};

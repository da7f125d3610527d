import { endpoint } from '../common/endpoint';
import { CONFIG_ADMIN, MEMBER, PUBLIC, rolesOnly } from '../permissions';
import * as s from './schemas';

const subscriptions = 'subscriptions' as const;

export const SubscriptionEndpoints = {
  plans: endpoint({
    method: 'GET', path: '/subscription/plans', service: subscriptions, pattern: 'subscriptions.plan.list', access: PUBLIC,
    summary: 'The plan catalogue: prices (minor units), limits and default feature flags of each tier.',
    response: s.PlanListSchema,
  }),
  current: endpoint({
    method: 'GET', path: '/subscription/current', service: subscriptions, pattern: 'subscriptions.subscription.current',
    access: MEMBER, summary: "The org's subscription.", response: s.SubscriptionSchema,
  }),
  create: endpoint({
    method: 'POST', path: '/subscription/create', service: subscriptions, pattern: 'subscriptions.subscription.create',
    access: CONFIG_ADMIN, summary: 'Subscribes the org to a plan.', idempotent: true,
    body: s.SubscriptionCreateBodySchema, response: s.SubscriptionChangeResultSchema, successStatus: 201,
  }),
  upgrade: endpoint({
    method: 'POST', path: '/subscription/upgrade', service: subscriptions, pattern: 'subscriptions.subscription.upgrade',
    access: CONFIG_ADMIN, summary: 'Immediate, prorated upgrade.', idempotent: true,
    body: s.SubscriptionUpgradeBodySchema, response: s.SubscriptionChangeResultSchema,
  }),
  downgrade: endpoint({
    method: 'POST', path: '/subscription/downgrade', service: subscriptions, pattern: 'subscriptions.subscription.downgrade',
    access: CONFIG_ADMIN, summary: 'Downgrade at the end of the period.',
    body: s.SubscriptionDowngradeBodySchema, response: s.SubscriptionSchema,
  }),
  cancel: endpoint({
    method: 'POST', path: '/subscription/cancel', service: subscriptions, pattern: 'subscriptions.subscription.cancel',
    access: CONFIG_ADMIN, summary: 'Cancels at the end of the period (or immediately on request).',
    body: s.SubscriptionCancelBodySchema, response: s.SubscriptionSchema,
  }),
  adminUpdate: endpoint({
    method: 'POST', path: '/subscription/admin/update', service: subscriptions, pattern: 'subscriptions.subscription.admin-update',
    access: rolesOnly('RootAdmin', 'RootPowerUser'), summary: 'Operator override of plan, price, period, flags, status (audited).',
    body: s.SubscriptionAdminUpdateBodySchema, response: s.SubscriptionSchema,
  }),
  completePayment: endpoint({
    method: 'POST', path: '/subscription/complete-payment', service: subscriptions, pattern: 'subscriptions.payment.complete',
    access: PUBLIC, summary: 'Finalises a subscription payment (verified server-side, exactly once).',
    body: s.SubscriptionCompletePaymentBodySchema, response: s.SubscriptionPaymentCompletionSchema,
  }),
  completeCheckout: endpoint({
    method: 'POST', path: '/subscription/complete-checkout', service: subscriptions, pattern: 'subscriptions.checkout.complete',
    access: PUBLIC, summary: 'Finalises a subscription checkout (verified server-side, exactly once).',
    body: s.SubscriptionCompleteCheckoutBodySchema, response: s.SubscriptionPaymentCompletionSchema,
  }),
  settleFromWebhook: endpoint({
    method: 'POST', path: '/subscription/internal/settle-payment', service: subscriptions, pattern: 'subscriptions.payment.settle',
    access: rolesOnly('System'), summary: 'Settles a subscription payment a verified gateway webhook names (NATS only; billing forwards it).',
    internal: true, body: s.SubscriptionPaymentSettleBodySchema, response: s.SubscriptionPaymentSettleResultSchema,
  }),
  startForRegistration: endpoint({
    method: 'POST', path: '/subscription/internal/start-for-registration', service: subscriptions, pattern: 'subscriptions.registration.start',
    access: rolesOnly('System'),
    summary: 'Starts the plan an org was registered with, before org-register answers (NATS only; orgs calls it). Idempotent with org.created.',
    internal: true, body: s.RegistrationSubscriptionBodySchema, response: s.RegistrationSubscriptionResultSchema,
  }),
};

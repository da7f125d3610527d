import { z } from 'zod';
import { safeString } from '../common/text';
import { endpoint } from '../common/endpoint';
import { CONFIG_ADMIN, MEMBER, PUBLIC, rolesOnly } from '../permissions';
import * as a from './addon-schemas';
import * as s from './schemas';
import { DebitBodySchema, DebitResultSchema } from './schemas';

const billing = 'billing' as const;
const serviceNameParams = z.strictObject({ serviceName: safeString().max(100) });

export const BillingEndpoints = {
  balance: endpoint({
    method: 'GET', path: '/billing/balance', service: billing, pattern: 'billing.balance.get', access: MEMBER,
    summary: "The org's credit balance (minor units of the credit currency).", response: s.BalanceSchema,
  }),
  buyCredits: endpoint({
    method: 'POST', path: '/billing/buy-credits', service: billing, pattern: 'billing.credits.buy', access: CONFIG_ADMIN,
    summary: 'Starts a credit purchase; returns the payment intent client secret.', idempotent: true,
    body: s.BuyCreditsBodySchema, response: s.BuyCreditsResultSchema, successStatus: 201,
    errors: ['LEDGER_CLOSED'],
  }),
  completePayment: endpoint({
    method: 'POST', path: '/billing/complete-payment', service: billing, pattern: 'billing.payment.complete', access: PUBLIC,
    summary: 'Finalises a credit purchase after verifying it with the payment gateway (exactly once).',
    body: s.CompletePaymentBodySchema, response: s.TransactionSchema,
    errors: ['LEDGER_CLOSED'],
  }),
  transactions: endpoint({
    method: 'GET', path: '/billing/transactions', service: billing, pattern: 'billing.transaction.list', access: MEMBER,
    summary: "The org's transactions, newest first, `?limit&cursor&type&from&to`.",
    query: s.TransactionListQuerySchema, response: s.TransactionPageSchema,
  }),
  giftCredits: endpoint({
    method: 'POST', path: '/billing/gift-credits', service: billing, pattern: 'billing.credits.gift', access: rolesOnly('RootAdmin'),
    summary: 'Promotional credit grant (operator).', idempotent: true,
    body: s.GiftCreditsBodySchema, response: s.CreditResultSchema, bodyOrgFields: ['orgId'], successStatus: 201,
    errors: ['LEDGER_CLOSED'],
  }),
  addCredit: endpoint({
    method: 'POST', path: '/billing/add-credit', service: billing, pattern: 'billing.credits.add', access: rolesOnly('RootAdmin'),
    summary: 'Credit adjustment or refund with a reason (operator).', idempotent: true,
    body: s.AddCreditBodySchema, response: s.CreditResultSchema, bodyOrgFields: ['orgId'], successStatus: 201,
    errors: ['LEDGER_CLOSED'],
  }),
  stripeWebhook: endpoint({
    method: 'POST', path: '/billing/webhooks/stripe', service: billing, pattern: 'billing.webhook.stripe', access: PUBLIC,
    summary: 'Stripe webhook; the signature is verified over the raw body.',
    rawBody: true, forwardHeaders: ['stripe-signature'], response: s.WebhookReceiptSchema,
  }),
  debit: endpoint({
    method: 'POST', path: '/billing/internal/debit', service: billing, pattern: 'billing.credits.debit', access: rolesOnly('System'),
    summary: 'Idempotent debit by reference for platform services (NATS only).', internal: true,
    body: DebitBodySchema, response: DebitResultSchema, bodyOrgFields: ['orgId'],
    errors: ['LEDGER_CLOSED'],
  }),
  servicesAvailable: endpoint({
    method: 'GET', path: '/services/available', service: billing, pattern: 'billing.addon.list', access: MEMBER,
    summary: 'The add-on catalogue, filterable by category.', query: a.AddonListQuerySchema, response: a.AddonListSchema,
  }),
  servicesPricing: endpoint({
    method: 'GET', path: '/services/pricing/:serviceName', service: billing, pattern: 'billing.addon.pricing', access: MEMBER,
    summary: 'Current rates and terms of an add-on.', params: a.AddonServiceNameParamsSchema, response: a.AddonPricingSchema, errors: ['NOT_FOUND'],
  }),
  servicesPurchase: endpoint({
    method: 'POST', path: '/services/purchase', service: billing, pattern: 'billing.addon.purchase', access: CONFIG_ADMIN,
    summary: 'Starts an add-on purchase (payment gateway) or buys it from the credit balance; refused until its current terms are accepted.',
    idempotent: true, body: a.AddonPurchaseBodySchema, response: a.AddonPurchaseStartedSchema, successStatus: 201,
    errors: ['LEDGER_CLOSED', 'NOT_FOUND', 'AGREEMENT_REQUIRED', 'INSUFFICIENT_BALANCE', 'UNPROCESSABLE'],
  }),
  servicesCompletePayment: endpoint({
    method: 'POST', path: '/services/complete-payment', service: billing, pattern: 'billing.addon.complete-payment',
    access: CONFIG_ADMIN, summary: 'Finalises an add-on purchase after verifying the payment with the gateway (exactly once).',
    body: a.AddonCompletePaymentBodySchema, response: a.AddonPurchaseSchema,
    errors: ['LEDGER_CLOSED', 'NOT_FOUND', 'PAYMENT_FAILED', 'UNPROCESSABLE'],
  }),
  servicesPurchased: endpoint({
    method: 'GET', path: '/services/purchased', service: billing, pattern: 'billing.addon.purchased', access: MEMBER,
    summary: "The org's add-on purchases with status and period, newest first.", query: a.AddonPurchasedQuerySchema,
    response: a.AddonPurchaseListSchema,
  }),
  addonTerms: endpoint({
    method: 'GET', path: '/services/internal/terms', service: billing, pattern: 'billing.addon.terms', access: rolesOnly('System'),
    summary: "Current terms of add-ons, for orgs' service agreements (NATS only).", internal: true,
    body: a.AddonTermsQuerySchema, response: a.AddonTermsListSchema,
  }),
};

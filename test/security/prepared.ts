import { EndpointDef } from '@org-mgmt/contracts';
import { TestSystem } from '@org-mgmt/testing';
import { randomBytes } from 'node:crypto';
import { expressPath, SampleRequest, SERVICE_WITH_TERMS } from './requests';

/**
 * State a permitted caller's sample request needs to really succeed (a purchase to complete, a plan
 * to change, a job to look at), set up as a root operator on the target org before each allowed
 * case. The matrix then asserts `statuses` (default: the endpoint's success status).
 */
export interface Prepared {
  prepare: (sys: TestSystem, on: { def: EndpointDef; target: string; sample: SampleRequest }) => Promise<SampleRequest>;
  /** Where the outcome depends on earlier cases (a job cancelled once answers 409 after). */
  statuses?: readonly number[];
}

const CARD = { serviceName: 'priority-support', paymentSource: 'gateway', paymentMethodId: 'pm_card_visa' };

async function asOperator(sys: TestSystem, orgId: string, path: string, body: unknown, { lenient = false } = {}) {
  const res = await sys.api('POST', path, { token: await sys.rootToken(), orgid: orgId, body });
  if (res.status >= 300 && !lenient) throw new Error(`${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const withBody = (sample: SampleRequest, body: unknown): SampleRequest => ({ ...sample, body });
const email = () => `owner-${randomBytes(4).toString('hex')}@example.com`;

/** Puts the target org on a live plan, or on none (an org that never had one stays so). */
const onPlan = (plan: string | null, body: unknown): Prepared => ({
  prepare: async (sys, { target, sample }) => {
    const change = plan ? { plan, interval: 'month', priceAmount: 0, status: 'active' } : { status: 'cancelled' };
    const reason = 'permission matrix setup';
    await asOperator(sys, target, '/subscription/admin/update', { ...change, reason }, { lenient: !plan });
    return withBody(sample, body);
  },
});

/** One completed card payment of a subscription, made once: completing it again answers the same. */
let completedPayment: Promise<{ paymentId: string; paymentIntentId: string }> | undefined;
function completed(sys: TestSystem) {
  completedPayment ??= (async () => {
    const { id } = await sys.registerOrg();
    const payment = { method: 'card', gateway: 'sandbox', paymentMethodId: 'pm_card_visa' };
    await asOperator(sys, id, '/subscription/create', { plan: 'pro', payment });
    const [row] = await sys.db('subscriptions')('subscription_payments').where({ org_id: id });
    return { paymentId: row.id, paymentIntentId: row.gateway_payment_id };
  })();
  return completedPayment;
}

/** One finished transfer job, made once, for the endpoints acting on a job. */
let finishedJob: Promise<string> | undefined;
function jobOf(sys: TestSystem): Promise<string> {
  finishedJob ??= (async () => {
    const [source, target] = [(await sys.registerOrg()).id, (await sys.registerOrg()).id];
    const job = await asOperator(sys, source, '/transfer/assets', {
      datatype: 'records',
      mode: 'copy',
      sourceOrgId: source,
      targetOrgId: target,
    });
    return job.id as string;
  })();
  return finishedJob;
}

const onJob = (statuses?: readonly number[]): Prepared => ({
  prepare: async (sys, { def, sample }) => {
    const params = { ...sample.params, id: await jobOf(sys) };
    return { ...sample, params, path: expressPath(def.path, params) };
  },
  statuses,
});

/** Copies collections from the org the sample names to a fresh one (never to itself). */
const copyCollections = (datatypes: object): Prepared => ({
  prepare: async (sys, { sample }) => {
    const targetOrgId = (await sys.registerOrg()).id;
    return withBody(sample, { ...(sample.body as object), ...datatypes, mode: 'copy', targetOrgId });
  },
});

export const PREPARED: Record<string, Prepared> = {
  'billing.payment.complete': {
    prepare: async (sys, { target, sample }) => {
      const bought = await asOperator(sys, target, '/billing/buy-credits', {
        amount: 100,
        currency: 'USD',
        paymentMethodId: 'pm_card_visa',
      });
      return withBody(sample, { paymentIntentId: bought.paymentIntentId, transactionId: bought.transactionId });
    },
  },
  'billing.addon.purchase': { prepare: async (_sys, { sample }) => withBody(sample, CARD) },
  'billing.addon.complete-payment': {
    prepare: async (sys, { target, sample }) =>
      withBody(sample, { purchaseId: (await asOperator(sys, target, '/services/purchase', CARD)).purchase.id }),
  },
  'orgs.agreement.accept': { prepare: async (_sys, { sample }) => withBody(sample, { termsVersion: '2025-11' }) },
  'orgs.agreement.revoke': {
    prepare: async (sys, { target, sample }) => {
      await asOperator(sys, target, `/services/agreement/accept/${SERVICE_WITH_TERMS}`, { termsVersion: '2025-11' });
      return sample;
    },
  },
  'subscriptions.subscription.current': onPlan('pro', undefined),
  'subscriptions.subscription.create': onPlan(null, { plan: 'free' }),
  'subscriptions.subscription.upgrade': {
    prepare: async (sys, on) => {
      await asOperator(sys, on.target, '/billing/gift-credits', {
        orgId: on.target,
        amount: 100_000,
        currency: 'USD',
        reason: 'permission matrix setup',
      });
      return onPlan('free', { plan: 'basic', payment: { method: 'credits' } }).prepare(sys, on);
    },
  },
  'subscriptions.subscription.downgrade': onPlan('pro', { plan: 'basic' }),
  'subscriptions.subscription.cancel': onPlan('pro', { reason: 'testing' }),
  'subscriptions.subscription.admin-update': onPlan('pro', { features: { beta: true }, reason: 'permission test' }),
  'subscriptions.payment.complete': {
    prepare: async (sys, { sample }) => withBody(sample, { ...(await completed(sys)), gateway: 'sandbox' }),
  },
  'subscriptions.checkout.complete': {
    prepare: async (sys, { sample }) => {
      const { paymentId, paymentIntentId } = await completed(sys);
      return withBody(sample, { paymentId, checkoutSessionId: paymentIntentId, gateway: 'sandbox' });
    },
  },
  'transfers.ownership.transfer': {
    prepare: async (_sys, { sample }) => withBody(sample, { newOwnerEmail: email(), previousOwner: 'keep_as_admin' }),
  },
  'transfers.email.change': { prepare: async (_sys, { sample }) => withBody(sample, { email: email() }) },
  'transfers.job.create': copyCollections({ datatype: 'collections' }),
  'transfers.job.create-bulk': copyCollections({ datatypes: ['collections'] }),
  'transfers.job.get': onJob(),
  'transfers.job.cancel': onJob([200, 409]),
  'transfers.job.resume': onJob([200, 409]),
  'transfers.job.rollback': onJob([200, 409]),
};

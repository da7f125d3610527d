import { paymentVerdict, VerifiedPayment } from '../src';

const record = { orgId: 'org_acme', amount: 9900, currency: 'USD', link: ['purchaseId', 'pur_1'] as const };
const paid: VerifiedPayment = {
  paymentId: 'pi_1',
  state: 'succeeded',
  amount: 9900,
  amountReceived: 9900,
  currency: 'USD',
  metadata: { purchaseId: 'pur_1', orgId: 'org_acme', purpose: 'addon' },
  failureReason: null,
};

describe('paymentVerdict', () => {
  it('settles a payment that succeeded for this very record', () => {
    expect(paymentVerdict(record, paid)).toEqual({ status: 'succeeded' });
  });

  it('waits while the payment is pending', () => {
    expect(paymentVerdict(record, { ...paid, state: 'pending', amountReceived: 0 })).toEqual({ status: 'pending' });
  });

  it.each([
    ['no payment', null, 'unknown_payment'],
    ['another record', { ...paid, metadata: { ...paid.metadata, purchaseId: 'pur_2' } }, 'purchase_mismatch'],
    ['another org', { ...paid, metadata: { ...paid.metadata, orgId: 'org_other' } }, 'org_mismatch'],
    [
      'a decline',
      { ...paid, state: 'failed' as const, amountReceived: 0, failureReason: 'generic_decline' },
      'generic_decline',
    ],
    ['another currency', { ...paid, currency: 'EUR' }, 'currency_mismatch'],
    ['less than the amount', { ...paid, amountReceived: 100 }, 'amount_mismatch'],
    ['more than the amount', { ...paid, amountReceived: 10_000 }, 'amount_mismatch'],
  ])('fails %s', (_name, payment, reason) => {
    expect(paymentVerdict(record, payment)).toEqual({ status: 'failed', reason });
  });
});

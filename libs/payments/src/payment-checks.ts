import { AppError } from '@org-mgmt/contracts';
import { PaymentGateway, VerifiedPayment } from './payment-gateway';

/** What the gateway's word means for one of our records: settle it, fail it (why), or wait. */
export type PaymentVerdict = { status: 'pending' } | { status: 'succeeded' } | { status: 'failed'; reason: string };

/** Our record a payment was created for, and the metadata entry linking the payment to it. */
export interface PaidRecord {
  orgId: string;
  amount: number;
  currency: string;
  /** e.g. `['transactionId', 'txn_…']`: as passed in the payment's metadata. */
  link: readonly [key: string, value: string];
}

/**
 * Settles only a payment that succeeded for this very record: linked to it, of the same org, in its
 * currency and for its whole amount. Anything else fails it with the reason (`unknown_payment`,
 * `transaction_mismatch` / `purchase_mismatch`, `org_mismatch`, the decline code, `currency_mismatch`,
 * `amount_mismatch`), or waits while the payment is pending.
 */
export function paymentVerdict(record: PaidRecord, payment: VerifiedPayment | null): PaymentVerdict {
  const [linkKey, linkValue] = record.link;
  if (!payment) return { status: 'failed', reason: 'unknown_payment' };
  if (payment.metadata[linkKey] !== linkValue)
    return { status: 'failed', reason: `${linkKey.replace(/Id$/, '')}_mismatch` };
  if (payment.metadata.orgId !== record.orgId) return { status: 'failed', reason: 'org_mismatch' };
  if (payment.state === 'failed') return { status: 'failed', reason: payment.failureReason ?? 'declined' };
  if (payment.state === 'pending') return { status: 'pending' };
  if (payment.currency !== record.currency) return { status: 'failed', reason: 'currency_mismatch' };
  if (payment.amountReceived !== record.amount) return { status: 'failed', reason: 'amount_mismatch' };
  return { status: 'succeeded' };
}

/**
 * The gateway's verdict on a record's payment. A payment about to be failed is cancelled first (a
 * declined intent could otherwise be confirmed again with another card and paid, unrecorded) and
 * judged again as it stands after the cancellation.
 */
export async function judgePayment(
  gateway: PaymentGateway,
  record: PaidRecord,
  paymentId: string,
): Promise<PaymentVerdict> {
  const payment = await gateway.retrievePayment(paymentId);
  const verdict = paymentVerdict(record, payment);
  if (verdict.status !== 'failed' || !payment || payment.state === 'succeeded') return verdict;
  const afterCancel = paymentVerdict(record, await gateway.cancelPayment(payment.paymentId));
  return afterCancel.status === 'failed' ? verdict : afterCancel;
}

/** A request naming a gateway (`body.gateway`) other than the one this deployment uses is refused. */
export function requireConfiguredGateway(gateway: PaymentGateway, requested: string | undefined): void {
  if (requested && requested !== gateway.name) {
    throw new AppError('VALIDATION_FAILED', `Payments go through the ${gateway.name} gateway here`, {
      fields: [{ path: 'body.gateway', message: `must be ${gateway.name}` }],
    });
  }
}

import { AppError, newId } from '@org-mgmt/contracts';
import { randomBytes } from 'node:crypto';
import { CreatedPayment, PaymentGateway, PaymentRequest, PaymentWebhookEvent, VerifiedPayment } from './payment-gateway';

/** Stripe's test cards the sandbox honours: what confirming with each one does. */
export const SANDBOX_CARDS = {
  pm_card_visa: { state: 'succeeded', failureReason: null },
  pm_card_chargeDeclined: { state: 'failed', failureReason: 'generic_decline' },
} as const;

/**
 * A payment provider in process memory for development and the embedded default: the payment is
 * confirmed at once with the test card named, as if the browser had confirmed it. Refused in
 * production. Payments live as long as the process (a restart forgets unfinished ones).
 */
export class SandboxPaymentGateway implements PaymentGateway {
  readonly name = 'sandbox' as const;
  private readonly payments = new Map<string, VerifiedPayment>();

  constructor(nodeEnv: string) {
    if (nodeEnv === 'production') throw new AppError('INTERNAL', 'The sandbox payment gateway is refused in production');
  }

  async createPayment(request: PaymentRequest): Promise<CreatedPayment> {
    const card = request.paymentMethodId ? SANDBOX_CARDS[request.paymentMethodId as keyof typeof SANDBOX_CARDS] : undefined;
    if (!card) {
      throw new AppError('UNPROCESSABLE', `The sandbox accepts the test cards ${Object.keys(SANDBOX_CARDS).join(', ')}`, {
        fields: [{ path: 'body.paymentMethodId', message: 'not a sandbox test card' }],
      });
    }
    const paymentId = `pi_sandbox_${newId('transaction').slice(4)}`;
    const payment: VerifiedPayment = {
      paymentId,
      state: card.state,
      amount: request.amount,
      amountReceived: card.state === 'succeeded' ? request.amount : 0,
      currency: request.currency.toUpperCase(),
      metadata: { ...request.metadata, orgId: request.orgId, purpose: request.purpose },
      failureReason: card.failureReason,
    };
    this.payments.set(paymentId, payment);
    return { paymentId, clientSecret: `${paymentId}_secret_${randomBytes(8).toString('hex')}`, state: payment.state };
  }

  async retrievePayment(paymentId: string): Promise<VerifiedPayment | null> {
    const payment = this.payments.get(paymentId);
    return payment ? { ...payment, metadata: { ...payment.metadata } } : null;
  }

  async cancelPayment(paymentId: string): Promise<VerifiedPayment | null> {
    const payment = this.payments.get(paymentId);
    if (payment && payment.state !== 'succeeded') this.payments.set(paymentId, { ...payment, state: 'failed', failureReason: payment.failureReason ?? 'canceled' });
    return this.retrievePayment(paymentId);
  }

  /** The sandbox confirms payments at once and sends no webhooks: anything claiming to be one is refused. */
  parseWebhook(): PaymentWebhookEvent {
    throw new AppError('VALIDATION_FAILED', 'The sandbox payment gateway receives no webhooks');
  }
}

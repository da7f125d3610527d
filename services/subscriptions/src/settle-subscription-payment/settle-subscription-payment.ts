import { Injectable } from '@nestjs/common';
import { AppError } from '@org-mgmt/contracts';
import { PaymentFlow } from '../payments/payment-flow';

/**
 * POST subscription/internal/settle-payment: billing verified the webhook's signature; the payment is
 * still looked up at the gateway before it counts. A failed payment is an answer, not an error.
 */
@Injectable()
export class SettleSubscriptionPayment {
  constructor(private readonly flow: PaymentFlow) {}

  async execute(named: { paymentId: string; gatewayPaymentId: string }) {
    const { paymentId, gatewayPaymentId } = named;
    try {
      const { settlement, status } = await this.flow.complete(paymentId, gatewayPaymentId, this.flow.gatewayName);
      return { paymentId, status, applied: settlement.applied };
    } catch (err) {
      if (err instanceof AppError && err.code === 'PAYMENT_FAILED')
        return { paymentId, status: 'failed' as const, applied: false };
      throw err;
    }
  }
}

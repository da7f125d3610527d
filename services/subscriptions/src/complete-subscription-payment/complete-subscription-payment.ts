import { Injectable } from '@nestjs/common';
import { AppError } from '@org-mgmt/contracts';
import { PaymentFlow } from '../payments/payment-flow';
import { publicSubscription } from '../subscriptions/subscription.repository';

/** The card payment a customer confirmed, as the gateway names it. */
export interface ConfirmedPayment {
  paymentId: string;
  gatewayPaymentId: string;
  gateway: string;
}

/**
 * POST subscription/complete-payment and complete-checkout: the payment is verified with the gateway,
 * never taken on the client's word, and its change applied once.
 */
@Injectable()
export class CompleteSubscriptionPayment {
  constructor(private readonly flow: PaymentFlow) {}

  async execute(confirmed: ConfirmedPayment) {
    const { paymentId } = confirmed;
    const { settlement, status } = await this.flow.complete(paymentId, confirmed.gatewayPaymentId, confirmed.gateway);
    if (settlement.payment.refundDueReason) {
      throw new AppError(
        'CONFLICT',
        'The organisation was deleted before this payment arrived: nothing was applied and the payment is recorded for refund',
        {
          paymentId,
          refundDue: true,
          reason: settlement.payment.refundDueReason,
        },
      );
    }
    return {
      paymentId,
      status,
      applied: settlement.applied,
      subscription: settlement.subscription ? publicSubscription(settlement.subscription) : null,
    };
  }
}

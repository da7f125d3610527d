import { Controller } from '@nestjs/common';
import { AppError, SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { publicSubscription } from '../subscriptions/subscription.repository';
import { PaymentFlow } from './payment-flow';

const E = SubscriptionEndpoints;

/** The public finalisers: the payment is verified with the gateway, never taken on the client's word. */
@Controller()
export class PaymentHandler {
  constructor(private readonly flow: PaymentFlow) {}

  @Rpc(E.completePayment)
  completePayment(ctx: RpcContext<typeof E.completePayment>) {
    return this.finish(ctx.body.paymentId, ctx.body.paymentIntentId, ctx.body.gateway);
  }

  /** A checkout is a PaymentIntent confirmed on the gateway's hosted page: the session id the gateway gave is that payment's id. */
  @Rpc(E.completeCheckout)
  completeCheckout(ctx: RpcContext<typeof E.completeCheckout>) {
    return this.finish(ctx.body.paymentId, ctx.body.checkoutSessionId, ctx.body.gateway);
  }

  /** Billing verified the webhook's signature; the payment is still looked up at the gateway before it counts. */
  @Rpc(E.settleFromWebhook)
  async settleFromWebhook(ctx: RpcContext<typeof E.settleFromWebhook>) {
    const { paymentId, gatewayPaymentId } = ctx.body;
    try {
      const { settlement, status } = await this.flow.complete(paymentId, gatewayPaymentId, this.flow.gatewayName);
      return { paymentId, status, applied: settlement.applied };
    } catch (err) {
      if (err instanceof AppError && err.code === 'PAYMENT_FAILED')
        return { paymentId, status: 'failed' as const, applied: false };
      throw err;
    }
  }

  private async finish(paymentId: string, gatewayPaymentId: string, gateway: string) {
    const { settlement, status } = await this.flow.complete(paymentId, gatewayPaymentId, gateway);
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

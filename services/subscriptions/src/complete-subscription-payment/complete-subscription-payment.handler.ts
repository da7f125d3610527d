import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { CompleteSubscriptionPayment } from './complete-subscription-payment';

const E = SubscriptionEndpoints;

@Controller()
export class CompleteSubscriptionPaymentHandler {
  constructor(private readonly completeSubscriptionPayment: CompleteSubscriptionPayment) {}

  @Rpc(E.completePayment)
  completePayment(ctx: RpcContext<typeof E.completePayment>) {
    const { paymentId, paymentIntentId, gateway } = ctx.body;
    return this.completeSubscriptionPayment.execute({ paymentId, gatewayPaymentId: paymentIntentId, gateway });
  }

  /** A checkout is a PaymentIntent confirmed on the gateway's hosted page: the session id the gateway gave is that payment's id. */
  @Rpc(E.completeCheckout)
  completeCheckout(ctx: RpcContext<typeof E.completeCheckout>) {
    const { paymentId, checkoutSessionId, gateway } = ctx.body;
    return this.completeSubscriptionPayment.execute({ paymentId, gatewayPaymentId: checkoutSessionId, gateway });
  }
}

import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
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

  private async finish(paymentId: string, gatewayPaymentId: string, gateway: string) {
    const { settlement, status } = await this.flow.complete(paymentId, gatewayPaymentId, gateway);
    return {
      paymentId,
      status,
      applied: settlement.applied,
      subscription: settlement.subscription ? publicSubscription(settlement.subscription) : null,
    };
  }
}

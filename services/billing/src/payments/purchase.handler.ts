import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway } from '@org-mgmt/payments';
import { Inject } from '@nestjs/common';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { PurchaseService } from './purchase.service';

@Controller()
export class PurchaseHandler {
  constructor(
    private readonly purchases: PurchaseService,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  @Rpc(BillingEndpoints.buyCredits)
  buy(ctx: RpcContext<typeof BillingEndpoints.buyCredits>) {
    return this.purchases.buy(requireOrgId(ctx), ctx.body, ctx.principal!, ctx.idempotencyKey);
  }

  @Rpc(BillingEndpoints.completePayment)
  complete(ctx: RpcContext<typeof BillingEndpoints.completePayment>) {
    return this.purchases.complete(ctx.body, ctx.orgId, ctx.principal);
  }

  /** Signed by the gateway over the exact bytes; payments of other purposes (add-ons, …) are not ours to settle here. */
  @Rpc(BillingEndpoints.stripeWebhook)
  async webhook(ctx: RpcContext<typeof BillingEndpoints.stripeWebhook>) {
    const event = this.gateway.parseWebhook(ctx.rawBody ?? '', ctx.headers?.['stripe-signature']);
    const handled =
      event.paymentId !== null && event.type.startsWith('payment_intent.') && event.metadata.purpose === 'credits'
        ? await this.purchases.finaliseByPayment(event.paymentId, event.metadata.transactionId)
        : false;
    return { received: true as const, handled };
  }
}

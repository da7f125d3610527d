import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway } from '@org-mgmt/payments';
import { Inject } from '@nestjs/common';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { AddonSettlementService } from '../addons/addon-settlement.service';
import { PurchaseService } from './purchase.service';
import { SubscriptionPaymentsClient } from './subscription-payments.client';

@Controller()
export class PurchaseHandler {
  constructor(
    private readonly purchases: PurchaseService,
    private readonly addonPurchases: AddonSettlementService,
    private readonly subscriptionPayments: SubscriptionPaymentsClient,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  @Rpc(BillingEndpoints.buyCredits)
  buy(ctx: RpcContext<typeof BillingEndpoints.buyCredits>) {
    return this.purchases.buy(requireOrgId(ctx), ctx.body, ctx.principal, ctx.requestId, ctx.idempotencyKey);
  }

  @Rpc(BillingEndpoints.completePayment)
  complete(ctx: RpcContext<typeof BillingEndpoints.completePayment>) {
    return this.purchases.complete(ctx.body, ctx.orgId, ctx.principal);
  }

  /** Signed by the gateway over the exact bytes; credit, add-on and subscription payments are settled by their own services. */
  @Rpc(BillingEndpoints.stripeWebhook)
  async webhook(ctx: RpcContext<typeof BillingEndpoints.stripeWebhook>) {
    const event = this.gateway.parseWebhook(ctx.rawBody ?? '', ctx.headers?.['stripe-signature']);
    const isPayment = event.paymentId !== null && event.type.startsWith('payment_intent.');
    let handled = false;
    if (isPayment && event.metadata.purpose === 'credits')
      handled = await this.purchases.finaliseByPayment(event.paymentId!, event.metadata.transactionId);
    if (isPayment && event.metadata.purpose === 'addon')
      handled = await this.addonPurchases.finaliseByPayment(event.paymentId!, event.metadata.purchaseId);
    if (isPayment && event.metadata.purpose === 'subscription')
      handled = await this.subscriptionPayments.settle(event.paymentId!, event.metadata.subscriptionPaymentId);
    return { received: true as const, handled };
  }
}

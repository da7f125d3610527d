import { Controller, Inject } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway } from '@org-mgmt/payments';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { AddonSettlementService } from '../addons/addon-settlement.service';
import { SubscriptionsClient } from '../clients/subscriptions.client';
import { CompletePaymentService } from '../complete-payment/complete-payment.service';

/** Signed by the gateway over the exact bytes; credit, add-on and subscription payments are settled by their owners. */
@Controller()
export class StripeWebhookHandler {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly creditPurchases: CompletePaymentService,
    private readonly addonPurchases: AddonSettlementService,
    private readonly subscriptions: SubscriptionsClient,
  ) {}

  @Rpc(BillingEndpoints.stripeWebhook)
  async stripeWebhook(ctx: RpcContext<typeof BillingEndpoints.stripeWebhook>) {
    const event = this.gateway.parseWebhook(ctx.rawBody ?? '', ctx.headers?.['stripe-signature']);
    const isPayment = event.paymentId !== null && event.type.startsWith('payment_intent.');
    let handled = false;
    if (isPayment && event.metadata.purpose === 'credits')
      handled = await this.creditPurchases.finaliseByPayment(event.paymentId!, event.metadata.transactionId);
    if (isPayment && event.metadata.purpose === 'addon')
      handled = await this.addonPurchases.finaliseByPayment(event.paymentId!, event.metadata.purchaseId);
    if (isPayment && event.metadata.purpose === 'subscription')
      handled = await this.subscriptions.settleFromWebhook(event.paymentId!, event.metadata.subscriptionPaymentId);
    return { received: true as const, handled };
  }
}

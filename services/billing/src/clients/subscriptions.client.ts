import { Inject, Injectable } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** Subscriptions owns subscription payments: billing hands it the verified Stripe webhooks about them. */
@Injectable()
export class SubscriptionsClient {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  /** `settleFromWebhook`: subscriptions settles the payment once; false when the webhook names none. */
  async settleFromWebhook(gatewayPaymentId: string, subscriptionPaymentId: string | undefined): Promise<boolean> {
    if (!subscriptionPaymentId) return false;
    const result = await callAsSystem(this.rpc, 'billing', SubscriptionEndpoints.settleFromWebhook, {
      orgId: null,
      body: { paymentId: subscriptionPaymentId, gatewayPaymentId },
    });
    return result.applied;
  }
}

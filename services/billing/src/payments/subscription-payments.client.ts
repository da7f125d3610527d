import { Inject, Injectable } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** Hands a verified Stripe webhook about a subscription payment to the subscriptions service, which settles it once. */
@Injectable()
export class SubscriptionPaymentsClient {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  async settle(gatewayPaymentId: string, subscriptionPaymentId: string | undefined): Promise<boolean> {
    if (!subscriptionPaymentId) return false;
    const result = await callAsSystem(this.rpc, 'billing', SubscriptionEndpoints.settleFromWebhook, {
      orgId: null,
      body: { paymentId: subscriptionPaymentId, gatewayPaymentId },
    });
    return result.applied;
  }
}

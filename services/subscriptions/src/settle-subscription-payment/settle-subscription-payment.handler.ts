import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { SettleSubscriptionPayment } from './settle-subscription-payment';

const E = SubscriptionEndpoints;

@Controller()
export class SettleSubscriptionPaymentHandler {
  constructor(private readonly settleSubscriptionPayment: SettleSubscriptionPayment) {}

  @Rpc(E.settleFromWebhook)
  settleFromWebhook(ctx: RpcContext<typeof E.settleFromWebhook>) {
    return this.settleSubscriptionPayment.execute(ctx.body);
  }
}

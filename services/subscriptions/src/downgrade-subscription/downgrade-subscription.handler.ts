import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { changeRequest } from '../subscriptions/change-requests';
import { DowngradeSubscription } from './downgrade-subscription';

const E = SubscriptionEndpoints;

@Controller()
export class DowngradeSubscriptionHandler {
  constructor(private readonly downgradeSubscription: DowngradeSubscription) {}

  @Rpc(E.downgrade)
  downgrade(ctx: RpcContext<typeof E.downgrade>) {
    return this.downgradeSubscription.execute(changeRequest(ctx), ctx.body);
  }
}

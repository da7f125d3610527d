import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { changeRequest } from '../subscriptions/change-requests';
import { UpgradeSubscription } from './upgrade-subscription';

const E = SubscriptionEndpoints;

@Controller()
export class UpgradeSubscriptionHandler {
  constructor(private readonly upgradeSubscription: UpgradeSubscription) {}

  @Rpc(E.upgrade)
  upgrade(ctx: RpcContext<typeof E.upgrade>) {
    return this.upgradeSubscription.execute(changeRequest(ctx), ctx.body);
  }
}

import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { changeRequest } from '../subscriptions/change-requests';
import { AdminUpdateSubscription } from './admin-update-subscription';

const E = SubscriptionEndpoints;

@Controller()
export class AdminUpdateSubscriptionHandler {
  constructor(private readonly adminUpdateSubscription: AdminUpdateSubscription) {}

  @Rpc(E.adminUpdate)
  adminUpdate(ctx: RpcContext<typeof E.adminUpdate>) {
    return this.adminUpdateSubscription.execute(changeRequest(ctx), ctx.body);
  }
}

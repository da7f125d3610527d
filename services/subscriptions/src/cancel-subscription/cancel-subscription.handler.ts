import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { changeRequest } from '../subscriptions/change-requests';
import { CancelSubscription } from './cancel-subscription';

const E = SubscriptionEndpoints;

@Controller()
export class CancelSubscriptionHandler {
  constructor(private readonly cancelSubscription: CancelSubscription) {}

  @Rpc(E.cancel)
  cancel(ctx: RpcContext<typeof E.cancel>) {
    return this.cancelSubscription.execute(changeRequest(ctx), ctx.body);
  }
}

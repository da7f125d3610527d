import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { changeRequest } from '../subscriptions/change-requests';
import { CreateSubscription } from './create-subscription';

const E = SubscriptionEndpoints;

@Controller()
export class CreateSubscriptionHandler {
  constructor(private readonly createSubscription: CreateSubscription) {}

  @Rpc(E.create)
  create(ctx: RpcContext<typeof E.create>) {
    return this.createSubscription.execute(changeRequest(ctx), ctx.body);
  }
}

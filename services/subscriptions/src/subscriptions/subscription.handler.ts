import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { changeRequest } from './change-requests';
import { SubscriptionService } from './subscription.service';

const E = SubscriptionEndpoints;

@Controller()
export class SubscriptionHandler {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Rpc(E.current)
  current(ctx: RpcContext<typeof E.current>) {
    return this.subscriptions.current(requireOrgId(ctx));
  }

  @Rpc(E.create)
  create(ctx: RpcContext<typeof E.create>) {
    return this.subscriptions.create(changeRequest(ctx), ctx.body);
  }

  @Rpc(E.downgrade)
  downgrade(ctx: RpcContext<typeof E.downgrade>) {
    return this.subscriptions.downgrade(changeRequest(ctx), ctx.body);
  }

  @Rpc(E.cancel)
  cancel(ctx: RpcContext<typeof E.cancel>) {
    return this.subscriptions.cancel(changeRequest(ctx), ctx.body);
  }

  @Rpc(E.adminUpdate)
  adminUpdate(ctx: RpcContext<typeof E.adminUpdate>) {
    return this.subscriptions.adminUpdate(changeRequest(ctx), ctx.body);
  }

  @Rpc(E.startForRegistration)
  startForRegistration(ctx: RpcContext<typeof E.startForRegistration>) {
    return this.subscriptions.startRegistered(ctx.body);
  }
}

import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { PLANS } from './catalogue';

@Controller()
export class PlanHandler {
  @Rpc(SubscriptionEndpoints.plans)
  async list(_ctx: RpcContext<typeof SubscriptionEndpoints.plans>) {
    return { plans: PLANS };
  }
}

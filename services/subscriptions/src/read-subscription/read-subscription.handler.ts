import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { PLANS } from '../plans/catalogue';
import { ReadSubscription } from './read-subscription';

const E = SubscriptionEndpoints;

/** The two reads: the plan catalogue (public) and the org's subscription. */
@Controller()
export class ReadSubscriptionHandler {
  constructor(private readonly readSubscription: ReadSubscription) {}

  @Rpc(E.plans)
  async plans(_ctx: RpcContext<typeof E.plans>) {
    return { plans: PLANS };
  }

  @Rpc(E.current)
  current(ctx: RpcContext<typeof E.current>) {
    return this.readSubscription.execute(requireOrgId(ctx));
  }
}

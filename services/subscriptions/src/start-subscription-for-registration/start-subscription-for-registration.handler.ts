import { Controller } from '@nestjs/common';
import { SubscriptionEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { StartSubscriptionForRegistration } from './start-subscription-for-registration';

const E = SubscriptionEndpoints;

@Controller()
export class StartSubscriptionForRegistrationHandler {
  constructor(private readonly startSubscriptionForRegistration: StartSubscriptionForRegistration) {}

  @Rpc(E.startForRegistration)
  startForRegistration(ctx: RpcContext<typeof E.startForRegistration>) {
    return this.startSubscriptionForRegistration.execute(ctx.body);
  }
}

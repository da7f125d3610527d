import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { OwnershipService } from './ownership.service';

/** Ownership RPCs only the transfers service calls (NATS only). */
@Controller()
export class OwnershipHandler {
  constructor(private readonly ownership: OwnershipService) {}

  @Rpc(OrgsEndpoints.ownerChange)
  ownerChange(ctx: RpcContext<typeof OrgsEndpoints.ownerChange>) {
    return this.ownership.ownerChange(ctx.body);
  }

  @Rpc(OrgsEndpoints.primaryEmailChange)
  primaryEmailChange(ctx: RpcContext<typeof OrgsEndpoints.primaryEmailChange>) {
    return this.ownership.primaryEmailChange(ctx.body);
  }

  @Rpc(OrgsEndpoints.orgLookup)
  orgLookup(ctx: RpcContext<typeof OrgsEndpoints.orgLookup>) {
    return this.ownership.orgLookup(ctx.body.orgIds);
  }
}

import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { OwnerChangeService } from './owner-change.service';

/** System-only RPCs of the transfers service (NATS only). */
@Controller()
export class OwnerChangeHandler {
  constructor(private readonly changes: OwnerChangeService) {}

  @Rpc(OrgsEndpoints.ownerChange)
  changeOwner(ctx: RpcContext<typeof OrgsEndpoints.ownerChange>) {
    return this.changes.changeOwner(ctx.body);
  }

  @Rpc(OrgsEndpoints.primaryEmailChange)
  changePrimaryEmail(ctx: RpcContext<typeof OrgsEndpoints.primaryEmailChange>) {
    return this.changes.changePrimaryEmail(ctx.body);
  }

  @Rpc(OrgsEndpoints.orgLookup)
  lookup(ctx: RpcContext<typeof OrgsEndpoints.orgLookup>) {
    return this.changes.lookup(ctx.body.orgIds);
  }
}

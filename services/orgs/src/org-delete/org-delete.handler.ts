import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { OrgDeleteService } from './org-delete.service';

@Controller()
export class OrgDeleteHandler {
  constructor(private readonly orgDeletes: OrgDeleteService) {}

  @Rpc(OrgsEndpoints.orgDelete)
  orgDelete(ctx: RpcContext<typeof OrgsEndpoints.orgDelete>) {
    return this.orgDeletes.orgDelete(ctx.body, ctx.principal);
  }

  @Rpc(OrgsEndpoints.teardownGet)
  teardownGet(ctx: RpcContext<typeof OrgsEndpoints.teardownGet>) {
    return this.orgDeletes.teardownGet(ctx.params.orgId);
  }
}

import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { DeletionService } from './deletion.service';

@Controller()
export class DeletionHandler {
  constructor(private readonly deletions: DeletionService) {}

  @Rpc(OrgsEndpoints.orgDelete)
  delete(ctx: RpcContext<typeof OrgsEndpoints.orgDelete>) {
    return this.deletions.delete(ctx.body, ctx.principal);
  }

  @Rpc(OrgsEndpoints.teardownGet)
  teardown(ctx: RpcContext<typeof OrgsEndpoints.teardownGet>) {
    return this.deletions.teardownStatus(ctx.params.orgId);
  }
}

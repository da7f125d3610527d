import { Controller } from '@nestjs/common';
import { TransferEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { OrgChangeService } from './org-change.service';

@Controller()
export class OrgChangeHandler {
  constructor(private readonly changes: OrgChangeService) {}

  @Rpc(TransferEndpoints.transferOwnership)
  transferOwnership(ctx: RpcContext<typeof TransferEndpoints.transferOwnership>) {
    return this.changes.transferOwnership(requireOrgId(ctx), ctx.body, ctx.principal);
  }

  @Rpc(TransferEndpoints.changeEmail)
  changeEmail(ctx: RpcContext<typeof TransferEndpoints.changeEmail>) {
    return this.changes.changeEmail(requireOrgId(ctx), ctx.body, ctx.principal);
  }
}

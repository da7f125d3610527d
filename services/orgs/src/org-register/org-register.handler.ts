import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { OrgRegisterService } from './org-register.service';

@Controller()
export class OrgRegisterHandler {
  constructor(private readonly orgRegisters: OrgRegisterService) {}

  @Rpc(OrgsEndpoints.orgRegister)
  orgRegister(ctx: RpcContext<typeof OrgsEndpoints.orgRegister>) {
    return this.orgRegisters.orgRegister(ctx.body, ctx.principal, ctx.requestId);
  }
}

import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { AccountService } from './account.service';

@Controller()
export class AccountHandler {
  constructor(private readonly accounts: AccountService) {}

  @Rpc(OrgsEndpoints.accountCancel)
  cancel(ctx: RpcContext<typeof OrgsEndpoints.accountCancel>) {
    return this.accounts.cancel(requireOrgId(ctx), ctx.body, ctx.principal);
  }

  @Rpc(OrgsEndpoints.accountReactivate)
  reactivate(ctx: RpcContext<typeof OrgsEndpoints.accountReactivate>) {
    return this.accounts.reactivate(requireOrgId(ctx), ctx.body.reason, ctx.principal);
  }
}

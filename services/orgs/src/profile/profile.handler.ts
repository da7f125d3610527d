import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { ProfileService } from './profile.service';

@Controller()
export class ProfileHandler {
  constructor(private readonly profiles: ProfileService) {}

  @Rpc(OrgsEndpoints.checkOrgName)
  checkName(ctx: RpcContext<typeof OrgsEndpoints.checkOrgName>) {
    return this.profiles.checkName(ctx.params.orgName);
  }

  @Rpc(OrgsEndpoints.profileGet)
  get(ctx: RpcContext<typeof OrgsEndpoints.profileGet>) {
    return this.profiles.get(requireOrgId(ctx));
  }

  @Rpc(OrgsEndpoints.profileUpdate)
  update(ctx: RpcContext<typeof OrgsEndpoints.profileUpdate>) {
    return this.profiles.update(requireOrgId(ctx), ctx.body, ctx.principal);
  }

  @Rpc(OrgsEndpoints.customerUpdate)
  updateCustomer(ctx: RpcContext<typeof OrgsEndpoints.customerUpdate>) {
    return this.profiles.updateCustomer(requireOrgId(ctx), ctx.body);
  }
}

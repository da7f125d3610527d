import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { ProfileService } from '../profile/profile.service';

@Controller()
export class RegistrationHandler {
  constructor(private readonly profiles: ProfileService) {}

  @Rpc(OrgsEndpoints.orgRegister)
  register(ctx: RpcContext<typeof OrgsEndpoints.orgRegister>) {
    const { ownerEmail, platformEmail, ...fields } = ctx.body;
    return this.profiles.register({ ...fields, ownerEmail, platformEmail: platformEmail ?? ownerEmail }, ctx.principal!.sub);
  }
}

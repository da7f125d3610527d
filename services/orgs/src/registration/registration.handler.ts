import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { RegistrationService } from './registration.service';

@Controller()
export class RegistrationHandler {
  constructor(private readonly registrations: RegistrationService) {}

  @Rpc(OrgsEndpoints.orgRegister)
  register(ctx: RpcContext<typeof OrgsEndpoints.orgRegister>) {
    return this.registrations.register(ctx.body, ctx.principal, ctx.requestId);
  }
}

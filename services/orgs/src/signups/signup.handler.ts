import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { SignupService } from './signup.service';

@Controller()
export class SignupHandler {
  constructor(private readonly signups: SignupService) {}

  @Rpc(OrgsEndpoints.signupCreate)
  create(ctx: RpcContext<typeof OrgsEndpoints.signupCreate>) {
    return this.signups.create(ctx.body, ctx.principal);
  }

  @Rpc(OrgsEndpoints.signupRemove)
  remove(ctx: RpcContext<typeof OrgsEndpoints.signupRemove>) {
    return this.signups.remove(ctx.body.id, ctx.principal);
  }

  @Rpc(OrgsEndpoints.signupList)
  list(ctx: RpcContext<typeof OrgsEndpoints.signupList>) {
    return this.signups.list(ctx.query);
  }

  @Rpc(OrgsEndpoints.signupValidate)
  validate(ctx: RpcContext<typeof OrgsEndpoints.signupValidate>) {
    return this.signups.validate(ctx.body, ctx.client?.ip);
  }
}

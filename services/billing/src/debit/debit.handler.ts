import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { DebitService } from './debit.service';

@Controller()
export class DebitHandler {
  constructor(private readonly service: DebitService) {}

  @Rpc(BillingEndpoints.debit)
  debit(ctx: RpcContext<typeof BillingEndpoints.debit>) {
    return this.service.debit(ctx.body, ctx.principal);
  }
}

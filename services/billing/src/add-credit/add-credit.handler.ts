import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { AddCreditService } from './add-credit.service';

@Controller()
export class AddCreditHandler {
  constructor(private readonly service: AddCreditService) {}

  @Rpc(BillingEndpoints.addCredit)
  addCredit(ctx: RpcContext<typeof BillingEndpoints.addCredit>) {
    return this.service.addCredit(ctx.body, ctx.principal, ctx.requestId, ctx.idempotencyKey);
  }
}

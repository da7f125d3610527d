import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { CompletePaymentService } from './complete-payment.service';

@Controller()
export class CompletePaymentHandler {
  constructor(private readonly service: CompletePaymentService) {}

  @Rpc(BillingEndpoints.completePayment)
  completePayment(ctx: RpcContext<typeof BillingEndpoints.completePayment>) {
    return this.service.completePayment(ctx.body, ctx.orgId, ctx.principal);
  }
}

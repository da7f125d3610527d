import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { BuyCreditsService } from './buy-credits.service';

@Controller()
export class BuyCreditsHandler {
  constructor(private readonly service: BuyCreditsService) {}

  @Rpc(BillingEndpoints.buyCredits)
  buyCredits(ctx: RpcContext<typeof BillingEndpoints.buyCredits>) {
    return this.service.buyCredits({
      orgId: requireOrgId(ctx),
      body: ctx.body,
      principal: ctx.principal,
      requestId: ctx.requestId,
      idempotencyKey: ctx.idempotencyKey,
    });
  }
}

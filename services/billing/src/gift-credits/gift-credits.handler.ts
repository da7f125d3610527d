import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { GiftCreditsService } from './gift-credits.service';

@Controller()
export class GiftCreditsHandler {
  constructor(private readonly service: GiftCreditsService) {}

  @Rpc(BillingEndpoints.giftCredits)
  giftCredits(ctx: RpcContext<typeof BillingEndpoints.giftCredits>) {
    return this.service.giftCredits(ctx.body, ctx.principal, ctx.requestId, ctx.idempotencyKey);
  }
}

import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { DebitService } from './debit.service';
import { GrantService } from './grant.service';

@Controller()
export class CreditsHandler {
  constructor(
    private readonly grants: GrantService,
    private readonly debits: DebitService,
  ) {}

  @Rpc(BillingEndpoints.giftCredits)
  gift(ctx: RpcContext<typeof BillingEndpoints.giftCredits>) {
    return this.grants.gift(ctx.body, ctx.principal, ctx.requestId, ctx.idempotencyKey);
  }

  @Rpc(BillingEndpoints.addCredit)
  addCredit(ctx: RpcContext<typeof BillingEndpoints.addCredit>) {
    return this.grants.addCredit(ctx.body, ctx.principal, ctx.requestId, ctx.idempotencyKey);
  }

  @Rpc(BillingEndpoints.debit)
  debit(ctx: RpcContext<typeof BillingEndpoints.debit>) {
    return this.debits.debit(ctx.body, ctx.principal);
  }
}

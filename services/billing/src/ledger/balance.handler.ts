import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { LedgerService } from './ledger.service';

@Controller()
export class BalanceHandler {
  constructor(private readonly ledger: LedgerService) {}

  @Rpc(BillingEndpoints.balance)
  balance(ctx: RpcContext<typeof BillingEndpoints.balance>) {
    return this.ledger.balance(requireOrgId(ctx), ctx.requestId);
  }

  @Rpc(BillingEndpoints.transactions)
  transactions(ctx: RpcContext<typeof BillingEndpoints.transactions>) {
    return this.ledger.transactionPage(requireOrgId(ctx), ctx.query, ctx.requestId);
  }
}

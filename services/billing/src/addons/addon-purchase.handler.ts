import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { AddonPurchaseService, PurchaseRequest } from './addon-purchase.service';
import { AddonSettlementService } from './addon-settlement.service';

@Controller()
export class AddonPurchaseHandler {
  constructor(
    private readonly purchases: AddonPurchaseService,
    private readonly settlement: AddonSettlementService,
  ) {}

  @Rpc(BillingEndpoints.servicesPurchase)
  servicesPurchase(ctx: RpcContext<typeof BillingEndpoints.servicesPurchase>) {
    return this.purchases.purchase(requestOf(ctx), ctx.body, ctx.idempotencyKey);
  }

  @Rpc(BillingEndpoints.servicesCompletePayment)
  servicesCompletePayment(ctx: RpcContext<typeof BillingEndpoints.servicesCompletePayment>) {
    return this.settlement.completePayment(requireOrgId(ctx), ctx.body.purchaseId, ctx.requestId);
  }

  @Rpc(BillingEndpoints.servicesPurchased)
  async servicesPurchased(ctx: RpcContext<typeof BillingEndpoints.servicesPurchased>) {
    return this.purchases.page(requestOf(ctx), ctx.query);
  }
}

function requestOf(ctx: RpcContext): PurchaseRequest {
  return { orgId: requireOrgId(ctx), principal: ctx.principal, requestId: ctx.requestId };
}

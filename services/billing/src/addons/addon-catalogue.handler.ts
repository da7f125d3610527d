import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { AddonCatalogueService } from './addon-catalogue.service';

@Controller()
export class AddonCatalogueHandler {
  constructor(private readonly catalogue: AddonCatalogueService) {}

  @Rpc(BillingEndpoints.servicesAvailable)
  async available(ctx: RpcContext<typeof BillingEndpoints.servicesAvailable>) {
    return { items: await this.catalogue.list(ctx.query.category) };
  }

  @Rpc(BillingEndpoints.servicesPricing)
  pricing(ctx: RpcContext<typeof BillingEndpoints.servicesPricing>) {
    return this.catalogue.pricing(ctx.params.serviceName);
  }

  @Rpc(BillingEndpoints.addonTerms)
  async terms(ctx: RpcContext<typeof BillingEndpoints.addonTerms>) {
    return { items: await this.catalogue.terms(ctx.body.serviceNames) };
  }
}

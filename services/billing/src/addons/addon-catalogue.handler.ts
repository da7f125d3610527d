import { Controller } from '@nestjs/common';
import { BillingEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { AddonCatalogueService } from './addon-catalogue.service';

@Controller()
export class AddonCatalogueHandler {
  constructor(private readonly catalogue: AddonCatalogueService) {}

  @Rpc(BillingEndpoints.servicesAvailable)
  async servicesAvailable(ctx: RpcContext<typeof BillingEndpoints.servicesAvailable>) {
    return { items: await this.catalogue.list(ctx.query.category) };
  }

  @Rpc(BillingEndpoints.servicesPricing)
  servicesPricing(ctx: RpcContext<typeof BillingEndpoints.servicesPricing>) {
    return this.catalogue.pricing(ctx.params.serviceName);
  }

  @Rpc(BillingEndpoints.addonTerms)
  async addonTerms(ctx: RpcContext<typeof BillingEndpoints.addonTerms>) {
    return { items: await this.catalogue.terms(ctx.body.serviceNames) };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AddonTermsEntry, AppError, BillingEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** Billing owns the add-on catalogue; orgs asks it for the current terms over `billing.addon.terms`. */
@Injectable()
export class AddonTermsClient {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  async all(requestId: string): Promise<AddonTermsEntry[]> {
    return (await callAsSystem(this.rpc, 'orgs', BillingEndpoints.addonTerms, { orgId: null, body: {}, requestId }))
      .items;
  }

  async of(addonName: string, requestId: string): Promise<AddonTermsEntry> {
    const { items } = await callAsSystem(this.rpc, 'orgs', BillingEndpoints.addonTerms, {
      orgId: null,
      body: { serviceNames: [addonName] },
      requestId,
    });
    if (!items[0]) throw new AppError('NOT_FOUND', `No add-on service named ${addonName}`);
    return items[0];
  }
}

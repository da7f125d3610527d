import { Inject, Injectable } from '@nestjs/common';
import { AgreementRecord, OrgsEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** Orgs owns organisations and their add-on agreements: what billing asks it, as System. */
@Injectable()
export class OrgsClient {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  /** `orgs.state.get`, before crediting an org billing is told about; throws NOT_FOUND for an org that does not exist. */
  async requireExists(orgId: string, requestId: string): Promise<void> {
    await callAsSystem(this.rpc, 'billing', OrgsEndpoints.orgState, { orgId, params: { orgId }, requestId });
  }

  /** `orgs.agreement.status`: the org's latest agreement record per add-on. */
  async latestAgreements(
    orgId: string,
    addonNames: readonly string[],
    requestId: string,
  ): Promise<Map<string, AgreementRecord | null>> {
    if (!addonNames.length) return new Map();
    const { items } = await callAsSystem(this.rpc, 'billing', OrgsEndpoints.agreementStatus, {
      orgId,
      body: { serviceNames: [...addonNames] },
      requestId,
    });
    return new Map(items.map((item) => [item.serviceName, item.latest]));
  }
}

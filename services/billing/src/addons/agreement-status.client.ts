import { Inject, Injectable } from '@nestjs/common';
import { AgreementRecord, OrgsEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** Orgs owns service agreements; billing asks it for an org's latest record per add-on over `orgs.agreement.status`. */
@Injectable()
export class AgreementStatusClient {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  async latest(
    orgId: string,
    serviceNames: readonly string[],
    requestId: string,
  ): Promise<Map<string, AgreementRecord | null>> {
    if (!serviceNames.length) return new Map();
    const { items } = await callAsSystem(this.rpc, 'billing', OrgsEndpoints.agreementStatus, {
      orgId,
      body: { serviceNames: [...serviceNames] },
      requestId,
    });
    return new Map(items.map((item) => [item.serviceName, item.latest]));
  }
}

/** True when the org's standing acceptance is of `termsVersion` (any version when none is named). */
export function isAccepted(record: AgreementRecord | null | undefined, termsVersion?: string | null): boolean {
  return record?.action === 'accepted' && (!termsVersion || record.termsVersion === termsVersion);
}

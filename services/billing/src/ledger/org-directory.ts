import { Inject, Injectable } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** Orgs owns organisations: billing asks it (`orgs.state.get`) before crediting an org it names. */
@Injectable()
export class OrgDirectory {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  /** Throws NOT_FOUND for an org that does not exist. */
  async requireExists(orgId: string, requestId: string): Promise<void> {
    await callAsSystem(this.rpc, 'billing', OrgsEndpoints.orgState, { orgId, params: { orgId }, requestId });
  }
}

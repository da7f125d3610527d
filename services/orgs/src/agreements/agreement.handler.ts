import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { AgreementActor, AgreementService } from './agreement.service';

@Controller()
export class AgreementHandler {
  constructor(private readonly agreements: AgreementService) {}

  @Rpc(OrgsEndpoints.agreementsList)
  async list(ctx: RpcContext<typeof OrgsEndpoints.agreementsList>) {
    return { items: await this.agreements.list(requireOrgId(ctx), ctx.requestId) };
  }

  @Rpc(OrgsEndpoints.agreementGet)
  get(ctx: RpcContext<typeof OrgsEndpoints.agreementGet>) {
    return this.agreements.get(requireOrgId(ctx), ctx.params.serviceName, ctx.requestId);
  }

  @Rpc(OrgsEndpoints.agreementAccept)
  accept(ctx: RpcContext<typeof OrgsEndpoints.agreementAccept>) {
    return this.agreements.accept(requireOrgId(ctx), ctx.params.serviceName, ctx.body.termsVersion, actorOf(ctx));
  }

  @Rpc(OrgsEndpoints.agreementRevoke)
  revoke(ctx: RpcContext<typeof OrgsEndpoints.agreementRevoke>) {
    return this.agreements.revoke(requireOrgId(ctx), ctx.params.serviceName, ctx.body?.reason ?? null, actorOf(ctx));
  }

  @Rpc(OrgsEndpoints.agreementStatus)
  async status(ctx: RpcContext<typeof OrgsEndpoints.agreementStatus>) {
    return { items: await this.agreements.latestRecords(requireOrgId(ctx), ctx.body.serviceNames) };
  }
}

function actorOf(ctx: RpcContext): AgreementActor {
  return { principal: ctx.principal, client: ctx.client, requestId: ctx.requestId };
}

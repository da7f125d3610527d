import { Controller, Inject } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { DATABASE, Knex, requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { OrgStateService } from './org-state.service';
import { OrgStatusService } from './org-status.service';

@Controller()
export class OrgStatusHandler {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    private readonly statuses: OrgStatusService,
    private readonly states: OrgStateService,
  ) {}

  @Rpc(OrgsEndpoints.statusSuspend)
  suspend(ctx: RpcContext<typeof OrgsEndpoints.statusSuspend>) {
    const { suspensionType, reason } = ctx.body;
    return this.db.transaction((trx) =>
      this.statuses.change(trx, requireOrgId(ctx), {
        cause: 'suspended',
        suspensionType,
        reason,
        changedBy: ctx.principal.sub,
      }),
    );
  }

  @Rpc(OrgsEndpoints.statusLift)
  lift(ctx: RpcContext<typeof OrgsEndpoints.statusLift>) {
    return this.db.transaction((trx) =>
      this.statuses.change(trx, requireOrgId(ctx), {
        cause: 'suspension_lifted',
        reason: ctx.body.reason,
        changedBy: ctx.principal.sub,
      }),
    );
  }

  @Rpc(OrgsEndpoints.orgState)
  state(ctx: RpcContext<typeof OrgsEndpoints.orgState>) {
    return this.states.get(ctx.params.orgId);
  }
}

import { Controller } from '@nestjs/common';
import { TransferEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { RollbackJobService } from './rollback-job.service';

/** POST transfer/:id/rollback. */
@Controller()
export class RollbackJobHandler {
  constructor(private readonly service: RollbackJobService) {}

  @Rpc(TransferEndpoints.rollback)
  rollback(ctx: RpcContext<typeof TransferEndpoints.rollback>) {
    return this.service.rollback(ctx.params.id);
  }
}

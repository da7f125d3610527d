import { Controller } from '@nestjs/common';
import { TransferEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { CancelJobService } from './cancel-job.service';

/** POST transfer/:id/cancel. */
@Controller()
export class CancelJobHandler {
  constructor(private readonly service: CancelJobService) {}

  @Rpc(TransferEndpoints.cancel)
  cancel(ctx: RpcContext<typeof TransferEndpoints.cancel>) {
    return this.service.cancel(ctx.params.id);
  }
}

import { Controller } from '@nestjs/common';
import { TransferEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { ReadJobsService } from './read-jobs.service';

/** GET transfer/jobs and transfer/:id. */
@Controller()
export class ReadJobsHandler {
  constructor(private readonly service: ReadJobsService) {}

  @Rpc(TransferEndpoints.list)
  list(ctx: RpcContext<typeof TransferEndpoints.list>) {
    return this.service.list(ctx.query);
  }

  @Rpc(TransferEndpoints.get)
  get(ctx: RpcContext<typeof TransferEndpoints.get>) {
    return this.service.get(ctx.params.id);
  }
}

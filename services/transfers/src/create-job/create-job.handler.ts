import { Controller } from '@nestjs/common';
import { TransferEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { CreateJobService } from './create-job.service';

/** POST transfer/assets (one datatype) and transfer/assets-bulk (several, in order). */
@Controller()
export class CreateJobHandler {
  constructor(private readonly service: CreateJobService) {}

  @Rpc(TransferEndpoints.create)
  create(ctx: RpcContext<typeof TransferEndpoints.create>) {
    const { datatype, ...request } = ctx.body;
    return this.service.create({ ...request, datatypes: [datatype] }, ctx.principal);
  }

  @Rpc(TransferEndpoints.createBulk)
  createBulk(ctx: RpcContext<typeof TransferEndpoints.createBulk>) {
    return this.service.create(ctx.body, ctx.principal);
  }
}

import { Controller } from '@nestjs/common';
import { TransferEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { JobService } from './job.service';

@Controller()
export class JobHandler {
  constructor(private readonly jobs: JobService) {}

  @Rpc(TransferEndpoints.create)
  create(ctx: RpcContext<typeof TransferEndpoints.create>) {
    const { datatype, ...request } = ctx.body;
    return this.jobs.create({ ...request, datatypes: [datatype] }, ctx.principal);
  }

  @Rpc(TransferEndpoints.createBulk)
  createBulk(ctx: RpcContext<typeof TransferEndpoints.createBulk>) {
    return this.jobs.create(ctx.body, ctx.principal);
  }

  @Rpc(TransferEndpoints.list)
  list(ctx: RpcContext<typeof TransferEndpoints.list>) {
    return this.jobs.list(ctx.query);
  }

  @Rpc(TransferEndpoints.get)
  get(ctx: RpcContext<typeof TransferEndpoints.get>) {
    return this.jobs.get(ctx.params.id);
  }

  @Rpc(TransferEndpoints.cancel)
  cancel(ctx: RpcContext<typeof TransferEndpoints.cancel>) {
    return this.jobs.cancel(ctx.params.id);
  }

  @Rpc(TransferEndpoints.resume)
  resume(ctx: RpcContext<typeof TransferEndpoints.resume>) {
    return this.jobs.resume(ctx.params.id);
  }

  @Rpc(TransferEndpoints.rollback)
  rollback(ctx: RpcContext<typeof TransferEndpoints.rollback>) {
    return this.jobs.rollback(ctx.params.id);
  }
}

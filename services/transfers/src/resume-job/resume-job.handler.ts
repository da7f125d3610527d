import { Controller } from '@nestjs/common';
import { TransferEndpoints } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { ResumeJobService } from './resume-job.service';

/** POST transfer/:id/resume. */
@Controller()
export class ResumeJobHandler {
  constructor(private readonly service: ResumeJobService) {}

  @Rpc(TransferEndpoints.resume)
  resume(ctx: RpcContext<typeof TransferEndpoints.resume>) {
    return this.service.resume(ctx.params.id);
  }
}

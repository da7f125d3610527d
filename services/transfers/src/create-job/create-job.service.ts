import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  newId,
  OrgsEndpoints,
  Principal,
  TransferDatatype,
  TransferJob,
  TransferMode,
} from '@org-mgmt/contracts';
import { callAsSystem, CLOCK, Clock, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';
import { JobRepository } from '../jobs/job.repository';
import { JobScheduler } from '../jobs/job.scheduler';
import { ParticipantClient } from '../jobs/participant.client';

export interface JobRequest {
  datatypes: TransferDatatype[];
  mode: TransferMode;
  sourceOrgId: string;
  targetOrgId: string;
  batchSize: number;
}

/** Queues a transfer job; the JobScheduler and its JobRunner do the moving. */
@Injectable()
export class CreateJobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly scheduler: JobScheduler,
    private readonly participants: ParticipantClient,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Checks everything that can be checked before anything moves, then queues the job. */
  async create(request: JobRequest, principal: Principal): Promise<TransferJob> {
    await this.requireLiveOrgs(request.sourceOrgId, request.targetOrgId);
    const steps = [];
    for (const datatype of request.datatypes) {
      const described = await this.participants.describe(datatype, request.sourceOrgId);
      steps.push({ datatype, sourceCount: described.count });
    }
    const id = newId('transfer');
    await this.jobs.insert({ id, ...request, requestedBy: principal.sub, steps, now: this.clock.now() });
    this.scheduler.kick();
    return (await this.jobs.find(id))!;
  }

  private async requireLiveOrgs(sourceOrgId: string, targetOrgId: string): Promise<void> {
    const { orgs } = await callAsSystem(this.rpc, 'transfers', OrgsEndpoints.orgLookup, {
      orgId: null,
      body: { orgIds: [sourceOrgId, targetOrgId] },
    });
    const fields = ['body.sourceOrgId', 'body.targetOrgId'];
    const missing = orgs.flatMap((org, i) =>
      org.exists ? [] : [{ path: fields[i], message: `organisation ${org.orgId} does not exist` }],
    );
    if (missing.length) throw new AppError('NOT_FOUND', 'Organisation not found', { fields: missing });
    const inactive = orgs.flatMap((org, i) =>
      org.serviceStatus === 'INACTIVE'
        ? [{ path: fields[i], message: `organisation ${org.orgId} is inactive or deleted` }]
        : [],
    );
    if (inactive.length)
      throw new AppError(
        'UNPROCESSABLE',
        'Assets cannot be transferred from or to an inactive or deleted organisation',
        { fields: inactive },
      );
  }
}

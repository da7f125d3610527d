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
import { jobNotFound } from './job-not-found';
import { JobTransitions } from './job-transitions';
import { JobPageRequest, JobRepository } from './job.repository';
import { JobScheduler } from './job.scheduler';
import { ParticipantClient } from './participant.client';

export interface JobRequest {
  datatypes: TransferDatatype[];
  mode: TransferMode;
  sourceOrgId: string;
  targetOrgId: string;
  batchSize: number;
}

/** Creates, reads and steers transfer jobs; the JobScheduler and its JobRunner do the moving. */
@Injectable()
export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly transitions: JobTransitions,
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

  async get(id: string): Promise<TransferJob> {
    const job = await this.jobs.find(id);
    if (!job) throw jobNotFound(id);
    return job;
  }

  list(request: JobPageRequest) {
    return this.jobs.page(request);
  }

  /** A queued job stops at once; a running one after its current batch. */
  async cancel(id: string): Promise<TransferJob> {
    await this.transitions.cancel(id);
    return this.get(id);
  }

  /** Continues from each datatype's last committed cursor. */
  async resume(id: string): Promise<TransferJob> {
    await this.transitions.resume(id);
    this.scheduler.kick();
    return this.get(id);
  }

  /** Undoes every committed batch, newest first. */
  async rollback(id: string): Promise<TransferJob> {
    await this.transitions.rollback(id);
    this.scheduler.kick();
    return this.get(id);
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

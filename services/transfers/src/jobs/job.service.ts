import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  newId,
  OrgLookupResult,
  OrgsEndpoints,
  ParticipantDescribeReply,
  participantEndpoints,
  Principal,
  TransferDatatype,
  TransferJob,
  TransferJobStatus,
  TransferMode,
} from '@org-mgmt/contracts';
import { AppConfig, CLOCK, Clock, CONFIG, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';
import { systemCall } from '../internal-rpc';
import { JobPageRequest, JobRepository } from './job.repository';
import { TransferWorker } from './transfer-worker';

export interface JobRequest {
  datatypes: TransferDatatype[];
  mode: TransferMode;
  sourceOrgId: string;
  targetOrgId: string;
  batchSize: number;
}

const RESUMABLE: TransferJobStatus[] = ['failed', 'cancelled'];
const ROLLBACKABLE: TransferJobStatus[] = ['failed', 'cancelled', 'completed', 'rollback_failed'];

/** Creates, reads and steers transfer jobs; the TransferWorker does the moving. */
@Injectable()
export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly worker: TransferWorker,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Checks everything that can be checked before anything moves, then queues the job. */
  async create(request: JobRequest, principal: Principal): Promise<TransferJob> {
    await this.requireLiveOrgs(request.sourceOrgId, request.targetOrgId);
    const steps = [];
    for (const datatype of request.datatypes) {
      const described = await systemCall<ParticipantDescribeReply>(
        this.rpc,
        this.config,
        participantEndpoints(datatype).describe,
        {
          datatype,
          orgId: request.sourceOrgId,
        },
      );
      steps.push({ datatype, sourceCount: described.count });
    }
    const id = newId('transfer');
    await this.jobs.insert({ id, ...request, requestedBy: principal.sub, steps, now: this.clock.now() });
    this.worker.kick();
    return (await this.jobs.find(id))!;
  }

  async get(id: string): Promise<TransferJob> {
    const job = await this.jobs.find(id);
    if (!job) throw notFound(id);
    return job;
  }

  list(request: JobPageRequest) {
    return this.jobs.page(request);
  }

  /** A queued job stops at once; a running one after its current batch. */
  async cancel(id: string): Promise<TransferJob> {
    await this.jobs.db.transaction(async (trx) => {
      const job = await this.jobs.findRow(id, trx, true);
      if (!job) throw notFound(id);
      const now = this.clock.now();
      if (job.status === 'queued') {
        await this.jobs.transition(trx, id, ['queued'], 'cancelled', {
          cancel_requested: true,
          finished_at: now,
          updated_at: now,
        });
      } else if (job.status === 'running') {
        await this.jobs.update(trx, id, { cancel_requested: true, updated_at: now });
      } else {
        throw new AppError('CONFLICT', `A ${job.status} transfer cannot be cancelled`);
      }
    });
    return this.get(id);
  }

  /** Continues from each datatype's last committed cursor. */
  async resume(id: string): Promise<TransferJob> {
    await this.jobs.db.transaction(async (trx) => {
      const job = await this.jobs.findRow(id, trx, true);
      if (!job) throw notFound(id);
      if (!RESUMABLE.includes(job.status)) throw new AppError('CONFLICT', `A ${job.status} transfer cannot be resumed`);
      await trx('transfer_job_steps')
        .where({ job_id: id })
        .whereIn('status', ['failed', 'cancelled', 'running'])
        .update({ status: 'pending', error: null });
      await this.jobs.transition(trx, id, RESUMABLE, 'queued', {
        error: null,
        retrying: null,
        cancel_requested: false,
        finished_at: null,
        updated_at: this.clock.now(),
      });
    });
    this.worker.kick();
    return this.get(id);
  }

  /** Undoes every committed batch, newest first. */
  async rollback(id: string): Promise<TransferJob> {
    await this.jobs.db.transaction(async (trx) => {
      const job = await this.jobs.findRow(id, trx, true);
      if (!job) throw notFound(id);
      if (!ROLLBACKABLE.includes(job.status))
        throw new AppError('CONFLICT', `A ${job.status} transfer cannot be rolled back`);
      await this.jobs.transition(trx, id, ROLLBACKABLE, 'rolling_back', {
        error: null,
        retrying: null,
        finished_at: null,
        updated_at: this.clock.now(),
      });
    });
    this.worker.kick();
    return this.get(id);
  }

  private async requireLiveOrgs(sourceOrgId: string, targetOrgId: string): Promise<void> {
    const { orgs } = await systemCall<OrgLookupResult>(this.rpc, this.config, OrgsEndpoints.orgLookup, {
      orgIds: [sourceOrgId, targetOrgId],
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

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `Transfer ${id} not found`);
}

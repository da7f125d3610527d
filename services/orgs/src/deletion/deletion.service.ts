import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppError, EVENT_CONSUMERS, OrgDelete, OrgDeletedEvent, Principal, TeardownStatus } from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, EventConsumers, Knex, LOGGER, Logger, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { OrgStatusService } from '../org-status/org-status.service';
import { OrganizationRepository } from '../profile/organization.repository';
import { DeletionRepository } from './deletion.repository';

const DAY_MS = 86_400_000;
const PURGE_INTERVAL_MS = 3600_000;

/**
 * Org deletion: the org goes INACTIVE for good (cause org_deleted), org.deleted carries the teardown
 * options, and each requested resource kind is tracked until its subscriber acknowledges with
 * org.teardown_acknowledged.
 */
@Injectable()
export class DeletionService implements OnModuleDestroy {
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly statuses: OrgStatusService,
    private readonly deletions: DeletionRepository,
    private readonly organizations: OrganizationRepository,
    private readonly consumers: EventConsumers,
  ) {}

  delete(input: OrgDelete, principal: Principal): Promise<TeardownStatus> {
    const { orgId, mode, reason, teardown } = input;
    return this.db.transaction(async (trx) => {
      const status = await this.statuses.change(trx, orgId, { cause: 'org_deleted', reason, changedBy: principal.sub });
      const now = status.lastServiceStatusChanged!;
      const retentionUntil = mode === 'soft' ? now + input.retentionDays * DAY_MS : null;
      await this.organizations.markDeleted(trx, orgId, now);
      await this.deletions.insert(trx, {
        orgId,
        mode,
        reason,
        teardown,
        requestedBy: principal.sub,
        requestedAt: now,
        retentionUntil,
      });
      if (mode === 'hard') await this.purge(trx, orgId, now);
      await this.outbox.add(trx, OrgDeletedEvent, orgId, {
        orgId,
        mode,
        teardown,
        retentionUntil,
        reason,
        deletedBy: principal.sub,
        deletedAt: now,
      });
      return (await this.deletions.find(orgId, trx))!;
    });
  }

  /** Purges soft-deleted orgs whose retention ended; replicas share the work (SKIP LOCKED). Returns how many. */
  async purgeExpired(batchSize = 100): Promise<number> {
    return this.db.transaction(async (trx) => {
      const now = this.clock.now();
      const due = await this.deletions.lockDueForPurge(trx, now, batchSize);
      for (const orgId of due) await this.purge(trx, orgId, now);
      if (due.length) this.logger.info({ orgIds: due }, 'purged soft-deleted organisations after retention');
      return due.length;
    });
  }

  private async purge(trx: Knex.Transaction, orgId: string, now: number): Promise<void> {
    await this.organizations.purgePersonalData(trx, orgId, now);
    await this.deletions.markPurged(trx, orgId, now);
  }

  startPurgeSchedule(intervalMs = PURGE_INTERVAL_MS): void {
    this.purgeTimer = setInterval(() => {
      this.purgeExpired().catch((err) => this.logger.warn({ err }, 'retention purge failed; will retry'));
    }, intervalMs);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  async teardownStatus(orgId: string): Promise<TeardownStatus> {
    const status = await this.deletions.find(orgId);
    if (!status) throw new AppError('NOT_FOUND', `Organisation ${orgId} has not been deleted`);
    return status;
  }

  /** Subscribers acknowledge each resource kind they tore down. */
  async startAcknowledgementConsumer(): Promise<void> {
    await this.consumers.consume(EVENT_CONSUMERS.orgsTeardownAcknowledged, async (ack, trx) => {
      const known = await this.deletions.acknowledge(trx, { ...ack, detail: ack.detail ?? null });
      if (!known)
        this.logger.warn(
          { orgId: ack.orgId, resource: ack.resource },
          'teardown acknowledged for no requested teardown; skipped',
        );
    });
  }
}

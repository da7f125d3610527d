import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { CLOCK, Clock, DATABASE, Knex, LOGGER, Logger } from '@org-mgmt/runtime';
import { OrgDeleteRepository } from './org-delete.repository';
import { OrgDeleteService } from './org-delete.service';

const PURGE_INTERVAL_MS = 3600_000;

/** Purges soft-deleted orgs once their retention ends, on a schedule every replica runs. */
@Injectable()
export class RetentionPurge implements OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly deletions: OrgDeleteRepository,
    private readonly orgDeletes: OrgDeleteService,
  ) {}

  /** Purges soft-deleted orgs whose retention ended; replicas share the work (SKIP LOCKED). Returns how many. */
  async purgeExpired(batchSize = 100): Promise<number> {
    return this.db.transaction(async (trx) => {
      const now = this.clock.now();
      const due = await this.deletions.lockDueForPurge(trx, now, batchSize);
      for (const orgId of due) await this.orgDeletes.purge(trx, orgId, now);
      if (due.length) this.logger.info({ orgIds: due }, 'purged soft-deleted organisations after retention');
      return due.length;
    });
  }

  startSchedule(intervalMs = PURGE_INTERVAL_MS): void {
    this.timer = setInterval(() => {
      this.purgeExpired().catch((err) => this.logger.warn({ err }, 'retention purge failed; will retry'));
    }, intervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}

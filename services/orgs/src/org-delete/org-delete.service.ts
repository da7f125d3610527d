import { Inject, Injectable } from '@nestjs/common';
import { AppError, OrgDelete, OrgDeletedEvent, Principal, TeardownStatus } from '@org-mgmt/contracts';
import { DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { OrgStatusService } from '../org-status/org-status.service';
import { OrganizationRepository } from '../profile/organization.repository';
import { OrgDeleteRepository } from './org-delete.repository';

const DAY_MS = 86_400_000;

/**
 * Org deletion: the org goes INACTIVE for good (cause org_deleted), org.deleted carries the teardown
 * options, and each requested resource kind is tracked until its subscriber acknowledges with
 * org.teardown_acknowledged (TeardownAcknowledgementsConsumer). A soft deletion keeps the personal
 * data until its retention ends (RetentionPurge); a hard one purges it at once.
 */
@Injectable()
export class OrgDeleteService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    private readonly statuses: OrgStatusService,
    private readonly deletions: OrgDeleteRepository,
    private readonly organizations: OrganizationRepository,
  ) {}

  orgDelete(input: OrgDelete, principal: Principal): Promise<TeardownStatus> {
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

  async teardownGet(orgId: string): Promise<TeardownStatus> {
    const status = await this.deletions.find(orgId);
    if (!status) throw new AppError('NOT_FOUND', `Organisation ${orgId} has not been deleted`);
    return status;
  }

  /** Removes a deleted org's personal data and records when. */
  async purge(trx: Knex.Transaction, orgId: string, now: number): Promise<void> {
    await this.organizations.purgePersonalData(trx, orgId, now);
    await this.deletions.markPurged(trx, orgId, now);
  }
}

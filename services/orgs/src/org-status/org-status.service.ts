import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  newId,
  OrgStatusChangedEvent,
  ServiceStatus,
  ServiceStatusView,
  STATUS_CHANGE_CAUSES,
  SUSPENSION_TYPES,
} from '@org-mgmt/contracts';
import { AppConfig, CLOCK, Clock, CONFIG, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { OrganizationRepository } from '../profile/organization.repository';
import { LockedStatus, OrgStatusRepository } from './org-status.repository';
import { orgNotFound } from '../org-not-found';

export type StatusChangeCause = (typeof STATUS_CHANGE_CAUSES)[number];
type SuspensionType = (typeof SUSPENSION_TYPES)[number];

interface Transition {
  from: readonly ServiceStatus[];
  to: ServiceStatus;
  /** Only when the current suspension has this type (event-driven lifts undo only their own kind). */
  onlySuspension?: SuspensionType;
}

/** Which change each cause makes, and from where it may be made. */
const TRANSITIONS: Record<StatusChangeCause, Transition> = {
  suspended: { from: ['ACTIVE'], to: 'SUSPENDED' },
  payment_failed: { from: ['ACTIVE'], to: 'SUSPENDED' },
  quota_exceeded: { from: ['ACTIVE'], to: 'SUSPENDED' },
  suspension_lifted: { from: ['SUSPENDED'], to: 'ACTIVE' },
  payment_recovered: { from: ['SUSPENDED'], to: 'ACTIVE', onlySuspension: 'PAYMENT_FAILED' },
  account_cancelled: { from: ['ACTIVE', 'SUSPENDED'], to: 'INACTIVE' },
  account_reactivated: { from: ['INACTIVE'], to: 'ACTIVE' },
  org_deleted: { from: ['ACTIVE', 'SUSPENDED', 'INACTIVE'], to: 'INACTIVE' },
};

export interface StatusChange {
  cause: StatusChangeCause;
  /** Required when the change suspends. */
  suspensionType?: SuspensionType;
  reason: string;
  changedBy: string;
}

/** Why a change did not apply; HTTP callers turn it into a 409, event consumers skip. */
export type Refusal = { refused: string };

/**
 * Every service-status change goes through here: the org row is locked, the transition checked, one
 * status record appended as the only current one, the org row kept in step, org.status_changed emitted,
 * all in the caller's transaction.
 */
@Injectable()
export class OrgStatusService {
  constructor(
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly statuses: OrgStatusRepository,
    private readonly organizations: OrganizationRepository,
  ) {}

  /** Applies the change or says why not; NOT_FOUND when the org does not exist. */
  async tryChange(trx: Knex.Transaction, orgId: string, change: StatusChange): Promise<ServiceStatusView | Refusal> {
    const current = await this.statuses.lockStatus(trx, orgId);
    if (!current) throw orgNotFound(orgId);
    const refusal = this.refusal(current, change);
    if (refusal) return { refused: refusal };
    const { to } = TRANSITIONS[change.cause];
    const suspensionType = to === 'SUSPENDED' ? change.suspensionType! : null;
    const now = this.clock.now();
    await this.statuses.append(trx, orgId, {
      id: newId('statusRecord'),
      status: to,
      previousStatus: current.status,
      suspensionType,
      timestamp: now,
      reason: change.reason,
      changedBy: change.changedBy,
      isCurrent: true,
    });
    await this.organizations.setServiceStatus(trx, orgId, to, now);
    await this.outbox.add(trx, OrgStatusChangedEvent, orgId, {
      orgId,
      status: to,
      previousStatus: current.status,
      suspensionType,
      cause: change.cause,
      reason: change.reason,
      changedBy: change.changedBy,
      changedAt: now,
    });
    return { orgId, serviceStatus: to, suspensionType, lastServiceStatusChanged: now };
  }

  /** As tryChange, but a change that does not apply is a 409 naming why. */
  async change(trx: Knex.Transaction, orgId: string, change: StatusChange): Promise<ServiceStatusView> {
    const result = await this.tryChange(trx, orgId, change);
    if ('refused' in result)
      throw new AppError('CONFLICT', result.refused, {
        serviceStatus: (await this.statuses.lockStatus(trx, orgId))?.status,
      });
    return result;
  }

  lockStatus(trx: Knex.Transaction, orgId: string): Promise<LockedStatus | null> {
    return this.statuses.lockStatus(trx, orgId);
  }

  private refusal(current: LockedStatus, change: StatusChange): string | null {
    if (current.orgId === this.config.ROOT_ORG_ID) return "The root org's service status cannot change";
    if (current.deleted) return 'The organisation is deleted';
    const transition = TRANSITIONS[change.cause];
    if (!transition.from.includes(current.status)) {
      return `Cannot go from ${current.status} to ${transition.to} (${change.cause})`;
    }
    if (transition.onlySuspension && current.suspensionType !== transition.onlySuspension) {
      return `The current suspension is ${current.suspensionType}, not ${transition.onlySuspension}`;
    }
    return null;
  }
}

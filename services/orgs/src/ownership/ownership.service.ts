import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  Customer,
  EmailChange,
  EmailChangeResult,
  OrgEmailChangedEvent,
  OrgLookupResult,
  OrgOwnershipTransferredEvent,
  OwnerChange,
  OwnerChangeResult,
} from '@org-mgmt/contracts';
import { CLOCK, Clock, IdempotencyKeys, Knex, OUTBOX, Outbox, ReplayedResponse } from '@org-mgmt/runtime';
import { OrganizationRepository } from '../profile/organization.repository';
import { OwnershipRepository } from './ownership.repository';
import { orgNotFound } from '../org-not-found';

/** The change kinds, each its own key space of change ids in idempotency_keys. */
type ChangeKind = 'owner' | 'primary_email';

/**
 * What the transfers service changes here: the owner record and the primary email, each in one
 * transaction with its event. A change id seen before answers the first result again.
 */
@Injectable()
export class OwnershipService {
  constructor(
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly organizations: OrganizationRepository,
    private readonly ownership: OwnershipRepository,
    private readonly idempotency: IdempotencyKeys,
  ) {}

  /** The owner record stays the org's (its address book with it) and now names the new owner. */
  ownerChange(change: OwnerChange): Promise<OwnerChangeResult> {
    return this.once('owner', change, async (trx) => {
      if (!(await this.organizations.lockForUpdate(trx, change.orgId))) throw orgNotFound(change.orgId);
      const owner = await this.organizations.findCustomer(change.orgId, trx);
      if (!owner) throw new AppError('CONFLICT', `Organisation ${change.orgId} has no owner record`);
      if (owner.email === change.newOwnerEmail) {
        throw new AppError('CONFLICT', 'This email already owns the organisation', {
          fields: [{ path: 'body.newOwnerEmail', message: 'is the current owner' }],
        });
      }
      const now = this.clock.now();
      const ownerSince = await this.ownerSince(trx, owner);
      await this.ownership.recordPreviousOwner(trx, { change, owner, ownerSince, ownerUntil: now });
      await this.organizations.replaceOwner(trx, owner.id, { ...change.newOwner, email: change.newOwnerEmail }, now);
      const newOwner = (await this.organizations.findCustomer(change.orgId, trx))!;
      await this.outbox.add(trx, OrgOwnershipTransferredEvent, change.orgId, {
        orgId: change.orgId,
        transferId: change.changeId,
        newOwner: { customerId: owner.id, email: newOwner.email, role: 'admin' },
        previousOwner: { email: owner.email, outcome: change.previousOwner },
        changedBy: change.changedBy,
        transferredAt: now,
      });
      return {
        orgId: change.orgId,
        newOwner,
        previousOwner: {
          email: owner.email,
          firstName: owner.firstName,
          lastName: owner.lastName,
          phone: owner.phone,
          jobTitle: owner.jobTitle,
          ownerSince,
          outcome: change.previousOwner,
        },
        transferredAt: now,
      };
    });
  }

  primaryEmailChange(change: EmailChange): Promise<EmailChangeResult> {
    return this.once('primary_email', change, async (trx) => {
      if (!(await this.organizations.lockForUpdate(trx, change.orgId))) throw orgNotFound(change.orgId);
      const org = (await this.organizations.find(change.orgId, trx))!;
      if (org.platformEmail === change.email) {
        throw new AppError('CONFLICT', 'This is already the primary email', {
          fields: [{ path: 'body.email', message: 'unchanged' }],
        });
      }
      const now = this.clock.now();
      await this.organizations.update(trx, change.orgId, { platformEmail: change.email }, now);
      await this.outbox.add(trx, OrgEmailChangedEvent, change.orgId, {
        orgId: change.orgId,
        transferId: change.changeId,
        previousEmail: org.platformEmail,
        email: change.email,
        changedBy: change.changedBy,
        changedAt: now,
      });
      return { orgId: change.orgId, previousEmail: org.platformEmail, email: change.email, changedAt: now };
    });
  }

  async orgLookup(orgIds: readonly string[]): Promise<OrgLookupResult> {
    const found = await this.organizations.serviceStatuses(orgIds);
    return {
      orgs: orgIds.map((orgId) => ({ orgId, exists: found.has(orgId), serviceStatus: found.get(orgId) ?? null })),
    };
  }

  private async ownerSince(trx: Knex.Transaction, owner: Customer): Promise<number> {
    return (await this.ownership.lastOwnerChange(trx, owner.orgId)) ?? owner.createdAt;
  }

  /** Runs `work` once per change id; a retry answers the stored result as it was first answered. */
  private async once<T>(
    kind: ChangeKind,
    change: OwnerChange | EmailChange,
    work: (trx: Knex.Transaction) => Promise<T>,
  ): Promise<T> {
    const request = { scope: kind, account: change.orgId, key: change.changeId, parameters: change };
    const result = await this.idempotency.run(request, work);
    return result instanceof ReplayedResponse ? (JSON.parse(result.body) as T) : result;
  }
}

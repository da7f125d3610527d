import { Inject, Injectable } from '@nestjs/common';
import { EventEnvelope, newId, SUBSCRIPTION_CHANGES, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { z } from 'zod';
import { OrgFeaturesClient } from './org-features.client';
import { StoredSubscription, SubscriptionRepository } from './subscription.repository';

export type SubscriptionChange = (typeof SUBSCRIPTION_CHANGES)[number];

export interface ChangeFacts {
  change: SubscriptionChange;
  before: StoredSubscription | null;
  after: StoredSubscription;
  changedBy: string;
  at: number;
  amountCharged?: number;
  reason?: string | null;
  details?: Record<string, unknown>;
  featureOverrides?: Record<string, boolean | null>;
}

/**
 * Every change is written to the audit log and announced as subscription.changed, in the caller's
 * transaction; once that commits, the change is also handed to orgs directly (read-your-writes for
 * the effective flags). Flows that answer a request or a pass of the worker run in `transaction`,
 * which resolves only after orgs has taken the changes (or failed to: the event follows).
 */
@Injectable()
export class ChangeRecorder {
  private readonly handovers = new WeakMap<Knex.Transaction, Promise<void>[]>();

  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    private readonly subscriptions: SubscriptionRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    private readonly orgFeatures: OrgFeaturesClient,
  ) {}

  /** A database transaction that resolves once orgs has been handed the changes recorded in it. */
  async transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    const handovers: Promise<void>[] = [];
    const result = await this.db.transaction((trx) => {
      this.handovers.set(trx, handovers);
      return work(trx);
    });
    await Promise.all(handovers);
    return result;
  }

  async record(trx: Knex.Transaction, facts: ChangeFacts): Promise<void> {
    const { after } = facts;
    await this.subscriptions.recordChange(trx, {
      id: newId('subscriptionChange'),
      subscriptionId: after.id,
      orgId: after.orgId,
      change: facts.change,
      fromPlan: facts.before?.plan ?? null,
      toPlan: after.plan,
      amountCharged: facts.amountCharged ?? 0,
      changedBy: facts.changedBy,
      reason: facts.reason ?? null,
      details: facts.details ?? {},
      changedAt: facts.at,
    });
    const event = await this.outbox.add(trx, SubscriptionChangedEvent, after.orgId, {
      ...changedData(after, facts.change, facts.changedBy),
      ...(facts.featureOverrides ? { featureOverrides: facts.featureOverrides } : {}),
    });
    this.handOverAfterCommit(trx, event);
  }

  /**
   * Hands the subscription's state as it is to orgs once `trx` commits: for a change another flow
   * recorded (e.g. the org.created consumer) whose own hand-over may still be under way. A delivery
   * of its own, dated by the subscription's last update, so it never outranks a later change.
   */
  handOverState(trx: Knex.Transaction, sub: StoredSubscription, change: SubscriptionChange, changedBy: string): void {
    const data = SubscriptionChangedEvent.schema.parse(changedData(sub, change, changedBy));
    const { subject: type, version } = SubscriptionChangedEvent;
    this.handOverAfterCommit(trx, {
      id: newId('event'),
      type,
      version,
      occurredAt: sub.updatedAt,
      orgId: sub.orgId,
      data,
    });
  }

  private handOverAfterCommit(
    trx: Knex.Transaction,
    event: EventEnvelope<z.output<typeof SubscriptionChangedEvent.schema>>,
  ): void {
    const handover = trx.executionPromise.then(
      () => this.orgFeatures.handOver(event),
      () => undefined,
    );
    this.handovers.get(trx)?.push(handover);
  }
}

function changedData(sub: StoredSubscription, change: SubscriptionChange, changedBy: string) {
  return {
    orgId: sub.orgId,
    subscriptionId: sub.id,
    change,
    plan: sub.plan,
    status: sub.status,
    features: sub.features,
    currentPeriodEnd: sub.currentPeriodEnd,
    changedBy,
  };
}

import { Inject, Injectable } from '@nestjs/common';
import { newId, SUBSCRIPTION_CHANGES, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
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

/** Every change is written to the audit log and announced as subscription.changed, in the caller's transaction. */
@Injectable()
export class ChangeRecorder {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

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
    await this.outbox.add(trx, SubscriptionChangedEvent, after.orgId, {
      orgId: after.orgId,
      subscriptionId: after.id,
      change: facts.change,
      plan: after.plan,
      status: after.status,
      features: after.features,
      currentPeriodEnd: after.currentPeriodEnd,
      changedBy: facts.changedBy,
      ...(facts.featureOverrides ? { featureOverrides: facts.featureOverrides } : {}),
    });
  }
}

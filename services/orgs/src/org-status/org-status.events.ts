import { Inject, Injectable } from '@nestjs/common';
import { AppError, EVENT_CONSUMERS, isRenewalDebitReference, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { EventConsumers, Knex, LOGGER, Logger } from '@org-mgmt/runtime';
import { z } from 'zod';
import { OrgStatusService, StatusChange } from './org-status.service';

/** Subscription states that mean the org is paying again. */
const PAYING_SUBSCRIPTION_STATES = new Set(['active']);

/**
 * Event-driven suspension: a failed subscription charge suspends (PAYMENT_FAILED), a later active or
 * renewed subscription lifts that suspension, and a declined debit other than a renewal's suspends
 * (QUOTA_EXCEEDED) when the org's policy says so. Changes that no longer apply (already suspended, cancelled…) are skipped.
 */
@Injectable()
export class OrgStatusEvents {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly statuses: OrgStatusService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.consumers.consume(EVENT_CONSUMERS.orgsStatusPaymentFailed, (data, trx) =>
      this.apply(trx, data.orgId, {
        cause: 'payment_failed',
        suspensionType: 'PAYMENT_FAILED',
        reason: `Subscription ${data.subscriptionId} (${data.plan}) payment of ${data.amount} ${data.currency} failed: ${data.reason}`,
        changedBy: 'system:subscriptions',
      }),
    );
    await this.consumers.consume(EVENT_CONSUMERS.orgsStatusDebitDeclined, async (data, trx) => {
      // A declined renewal is a payment failure: subscription.payment_failed suspends it as PAYMENT_FAILED,
      // which paying the renewal lifts. Counting it as QUOTA_EXCEEDED too would outlive the payment.
      if (isRenewalDebitReference(data.reference)) return;
      const current = await this.statuses.lockStatus(trx, data.orgId);
      if (!current?.suspendOnQuotaExceeded) return;
      await this.apply(trx, data.orgId, {
        cause: 'quota_exceeded',
        suspensionType: 'QUOTA_EXCEEDED',
        reason: `Debit ${data.reference} of ${data.amount} ${data.currency} declined: balance ${data.balance}`,
        changedBy: 'system:billing',
      });
    });
  }

  /** subscription.changed (see SubscriptionChangesConsumer): a paying subscription lifts a PAYMENT_FAILED suspension. */
  async recoverOnPayingSubscription(
    trx: Knex.Transaction,
    data: z.output<typeof SubscriptionChangedEvent.schema>,
  ): Promise<void> {
    if (!PAYING_SUBSCRIPTION_STATES.has(data.status)) return;
    await this.apply(trx, data.orgId, {
      cause: 'payment_recovered',
      reason: `Subscription ${data.subscriptionId} (${data.plan}) is ${data.status} again (${data.change})`,
      changedBy: 'system:subscriptions',
    });
  }

  private async apply(trx: Knex.Transaction, orgId: string, change: StatusChange): Promise<void> {
    try {
      const result = await this.statuses.tryChange(trx, orgId, change);
      if ('refused' in result)
        this.logger.debug({ orgId, cause: change.cause, why: result.refused }, 'status event did not apply');
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
      this.logger.warn({ orgId, cause: change.cause }, 'status event for an unknown org; skipped');
    }
  }
}

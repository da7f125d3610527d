import { Inject, Injectable } from '@nestjs/common';
import { AddonPurchase, AppError, ServicePurchasedEvent, ServicePurchaseFailedEvent } from '@org-mgmt/contracts';
import { judgePayment, PAYMENT_GATEWAY, PaymentGateway } from '@org-mgmt/payments';
import { CLOCK, Clock, DATABASE, Knex, OUTBOX, Outbox, recordPaymentOutcome } from '@org-mgmt/runtime';
import { isLedgerClosed, LEDGER_CLOSED_REFUND_DUE, LedgerService } from '../ledger/ledger.service';
import { AddonPurchaseRepository, StoredPurchase } from './addon-purchase.repository';
import { AddonPurchaseStatus, purchaseEventData } from './addon-purchase-status';
import { nextPeriod } from './billing-period';

/**
 * Settles gateway purchases from what the gateway says, exactly once: the pending → active (or
 * failed) transition is a conditional update, so complete-payment called again, concurrently, or
 * racing the webhook enables the add-on and publishes its event once.
 */
@Injectable()
export class AddonSettlementService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly purchases: AddonPurchaseRepository,
    private readonly status: AddonPurchaseStatus,
    private readonly ledger: LedgerService,
  ) {}

  /** complete-payment: every caller gets the same purchase; a failed payment is PAYMENT_FAILED. */
  async completePayment(orgId: string, purchaseId: string, requestId: string): Promise<AddonPurchase> {
    const purchase = await this.purchases.find(orgId, purchaseId);
    if (!purchase) throw new AppError('NOT_FOUND', `No add-on purchase ${purchaseId} for this organisation`);
    if (purchase.status === 'pending' && purchase.paymentIntentId) await this.settle(purchase);
    const current = (await this.purchases.find(orgId, purchaseId))!;
    if (current.status === 'failed' && current.failureReason === LEDGER_CLOSED_REFUND_DUE) {
      throw new AppError(
        'LEDGER_CLOSED',
        "The payment arrived after the organisation's ledger was closed: nothing was enabled and it is recorded for refund",
        {
          purchaseId,
        },
      );
    }
    if (current.status === 'failed') {
      throw new AppError('PAYMENT_FAILED', `The payment for ${current.serviceName} failed: ${current.failureReason}`, {
        purchaseId,
      });
    }
    return (await this.status.derive(orgId, [current], requestId))[0];
  }

  /** The payment webhook: settles the add-on purchase its metadata names, if any. */
  async finaliseByPayment(paymentId: string, purchaseId: string | undefined): Promise<boolean> {
    const purchase = purchaseId ? await this.purchases.findById(purchaseId) : null;
    if (!purchase || purchase.paymentIntentId !== paymentId) return false;
    if (purchase.status === 'pending') await this.settle(purchase);
    return true;
  }

  /** Only a payment linked to this purchase, of its org, for its whole price enables it; anything else fails it (and is cancelled). */
  private async settle(purchase: StoredPurchase): Promise<void> {
    const record = {
      orgId: purchase.orgId,
      amount: purchase.amount,
      currency: purchase.currency,
      link: ['purchaseId', purchase.id] as const,
    };
    const verdict = await judgePayment(this.gateway, record, purchase.paymentIntentId!);
    if (verdict.status === 'pending') return;
    const settled =
      verdict.status === 'succeeded'
        ? await this.activateUnlessClosed(purchase)
        : await this.markFailed(purchase, verdict.reason);
    recordPaymentOutcome(this.gateway.name, 'addon', settled ? verdict.status : 'duplicate');
  }

  /** Paid after the org was deleted: nothing is enabled, the purchase fails marked for refund. */
  private activateUnlessClosed(purchase: StoredPurchase): Promise<boolean> {
    return this.activate(purchase).catch((err) => {
      if (!isLedgerClosed(err)) throw err;
      return this.markFailed(purchase, LEDGER_CLOSED_REFUND_DUE);
    });
  }

  /** pending → active with its paid period, while the org's ledger is open; false when another settlement got there first. */
  private activate(purchase: StoredPurchase): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      await this.ledger.lockOpen(trx, purchase.orgId);
      await this.purchases.lockAddon(trx, purchase.orgId, purchase.serviceName);
      const now = this.clock.now();
      const period = nextPeriod(
        purchase.billingMode,
        now,
        await this.purchases.latestPeriodEnd(trx, purchase.orgId, purchase.serviceName),
      );
      if (!(await this.purchases.activate(trx, purchase.id, { ...period, completedAt: now }))) return false;
      await this.outbox.add(trx, ServicePurchasedEvent, purchase.orgId, {
        ...purchaseEventData(purchase),
        ...period,
        completedAt: now,
      });
      return true;
    });
  }

  /** pending → failed; false when another settlement got there first. */
  private markFailed(purchase: StoredPurchase, reason: string): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const now = this.clock.now();
      if (!(await this.purchases.fail(trx, purchase.id, reason, now))) return false;
      await this.outbox.add(trx, ServicePurchaseFailedEvent, purchase.orgId, {
        ...purchaseEventData(purchase),
        failedAt: now,
        reason,
      });
      return true;
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AddonPurchase, AppError, ServicePurchasedEvent, ServicePurchaseFailedEvent } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway, VerifiedPayment } from '@org-mgmt/payments';
import { CLOCK, Clock, DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
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
  ) {}

  /** complete-payment: every caller gets the same purchase; a failed payment is PAYMENT_FAILED. */
  async completePayment(orgId: string, purchaseId: string, requestId: string): Promise<AddonPurchase> {
    const purchase = await this.purchases.find(orgId, purchaseId);
    if (!purchase) throw new AppError('NOT_FOUND', `No add-on purchase ${purchaseId} for this organisation`);
    if (purchase.status === 'pending' && purchase.paymentIntentId) await this.settle(purchase);
    const current = (await this.purchases.find(orgId, purchaseId))!;
    if (current.status === 'failed') {
      throw new AppError('PAYMENT_FAILED', `The payment for ${current.serviceName} failed: ${current.failureReason}`, { purchaseId });
    }
    return (await this.status.derive(orgId, [current], requestId))[0];
  }

  /** The payment webhook: settles the add-on purchase its metadata names, if any. */
  async finaliseByPayment(paymentId: string, purchaseId: string | undefined): Promise<boolean> {
    const purchase = purchaseId ? await this.purchases.findById(purchaseId) : null;
    if (!purchase || purchase.paymentIntentId !== paymentId) return false;
    if (purchase.status !== 'pending') return true;
    try {
      await this.settle(purchase);
    } catch (err) {
      // A payment that does not match its purchase stays pending for an operator; retrying will not change it.
      if (!(err instanceof AppError && (err.code === 'UNPROCESSABLE' || err.code === 'CONFLICT'))) throw err;
    }
    return true;
  }

  private async settle(purchase: StoredPurchase): Promise<void> {
    const payment = await this.verifiedPayment(purchase);
    if (payment.state === 'succeeded') await this.activate(purchase);
    if (payment.state === 'failed') await this.markFailed(purchase, payment.failureReason ?? 'declined');
  }

  private async verifiedPayment(purchase: StoredPurchase): Promise<VerifiedPayment> {
    const payment = await this.gateway.retrievePayment(purchase.paymentIntentId!);
    if (!payment || payment.metadata.purchaseId !== purchase.id || payment.metadata.orgId !== purchase.orgId) {
      throw new AppError('CONFLICT', `The payment gateway knows no payment for purchase ${purchase.id}`);
    }
    if (payment.state === 'succeeded' && (payment.amountReceived < purchase.amount || payment.currency !== purchase.currency)) {
      throw new AppError('UNPROCESSABLE', 'The gateway received less than the price of this purchase; it stays pending', {
        amountReceived: payment.amountReceived,
        currency: payment.currency,
      });
    }
    return payment;
  }

  private async activate(purchase: StoredPurchase): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.purchases.lockAddon(trx, purchase.orgId, purchase.serviceName);
      const now = this.clock.now();
      const period = nextPeriod(purchase.billingMode, now, await this.purchases.latestPeriodEnd(trx, purchase.orgId, purchase.serviceName));
      if (!(await this.purchases.activate(trx, purchase.id, { ...period, completedAt: now }))) return;
      await this.outbox.add(trx, ServicePurchasedEvent, purchase.orgId, { ...purchaseEventData(purchase), ...period, completedAt: now });
    });
  }

  private async markFailed(purchase: StoredPurchase, reason: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const now = this.clock.now();
      if (!(await this.purchases.fail(trx, purchase.id, reason, now))) return;
      await this.outbox.add(trx, ServicePurchaseFailedEvent, purchase.orgId, { ...purchaseEventData(purchase), failedAt: now, reason });
    });
  }
}

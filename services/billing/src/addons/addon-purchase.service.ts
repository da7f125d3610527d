import { Inject, Injectable } from '@nestjs/common';
import {
  Addon,
  AddonPurchase,
  AddonPurchaseBody,
  AddonPurchaseStarted,
  AppError,
  BillingEndpoints,
  CREDIT_CURRENCY,
  newId,
  Principal,
  PurchaseStatus,
  ServicePurchasedEvent,
  ServicePurchaseFailedEvent,
} from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway, VerifiedPayment } from '@org-mgmt/payments';
import { CLOCK, Clock, DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { LedgerService } from '../ledger/ledger.service';
import { TransactionRepository } from '../ledger/transaction.repository';
import { AddonCatalogueService } from './addon-catalogue.service';
import { AddonPurchaseRepository, StoredPurchase } from './addon-purchase.repository';
import { addMonthUtc } from './billing-period';
import { AgreementStatusClient, isAccepted } from './agreement-status.client';

export interface PurchaseRequest {
  orgId: string;
  principal: Principal;
  requestId: string;
}

@Injectable()
export class AddonPurchaseService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly catalogue: AddonCatalogueService,
    private readonly purchases: AddonPurchaseRepository,
    private readonly agreements: AgreementStatusClient,
    private readonly idempotency: IdempotencyService,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
  ) {}

  /**
   * Buys an add-on at the price the catalogue says now. From the credit balance it is paid and active
   * at once (or refused with INSUFFICIENT_BALANCE, changing nothing); through the payment gateway it
   * answers the intent's client secret and stays pending until complete-payment verifies the payment.
   * An Idempotency-Key replays the first answer.
   */
  async purchase(request: PurchaseRequest, body: AddonPurchaseBody, idempotencyKey?: string): Promise<AddonPurchaseStarted> {
    const addon = await this.catalogue.get(body.serviceName);
    if (body.paymentSource === 'gateway') this.requireConfiguredGateway(body.gateway);
    if (body.paymentSource === 'credits' && addon.price.currency !== CREDIT_CURRENCY) {
      throw new AppError('UNPROCESSABLE', `${addon.name} is priced in ${addon.price.currency}; credits are held in ${CREDIT_CURRENCY}`);
    }
    await this.requireCurrentAgreement(request, addon);
    const idempotent = { scope: BillingEndpoints.servicesPurchase.pattern, account: request.principal.orgId, key: idempotencyKey, parameters: { orgId: request.orgId, body } };
    return this.idempotency.run(idempotent, (trx) =>
      body.paymentSource === 'credits' ? this.payFromCredits(trx, request, addon) : this.startGatewayPayment(trx, request, addon, body.paymentMethodId),
    );
  }

  private async payFromCredits(trx: Knex.Transaction, request: PurchaseRequest, addon: Addon): Promise<AddonPurchaseStarted> {
    const purchase = this.newPurchase(request, addon, 'credits');
    await this.purchases.lockAddon(trx, request.orgId, addon.serviceName);
    const now = this.clock.now();
    const period = await this.nextPeriod(trx, purchase, now);
    Object.assign(purchase, { status: 'active', ...period, completedAt: now });
    await this.purchases.insert(trx, purchase);
    const transactionId = newId('transaction');
    await this.transactions.insert(trx, {
      id: transactionId,
      orgId: request.orgId,
      type: 'debit',
      status: 'succeeded',
      amount: purchase.amount,
      currency: purchase.currency,
      reference: purchase.id,
      reason: `Add-on: ${addon.name}`,
      createdBy: request.principal.sub,
      createdAt: now,
      completedAt: now,
    });
    await this.ledger.post(trx, (await this.transactions.find(transactionId, trx))!, request.principal.sub);
    await this.outbox.add(trx, ServicePurchasedEvent, request.orgId, { ...eventData(purchase), ...period, completedAt: now });
    return { purchase: publicView(purchase), paymentIntentClientSecret: null };
  }

  private async startGatewayPayment(
    trx: Knex.Transaction,
    request: PurchaseRequest,
    addon: Addon,
    paymentMethodId: string,
  ): Promise<AddonPurchaseStarted> {
    const purchase = this.newPurchase(request, addon, 'gateway');
    const payment = await this.gateway.createPayment({
      amount: addon.price.amount,
      currency: addon.price.currency,
      orgId: request.orgId,
      purpose: 'addon',
      metadata: { purchaseId: purchase.id },
      paymentMethodId,
      description: addon.name,
      idempotencyKey: purchase.id,
    });
    purchase.paymentIntentId = payment.paymentId;
    await this.purchases.insert(trx, purchase);
    return { purchase: publicView(purchase), paymentIntentClientSecret: payment.clientSecret };
  }

  /**
   * Finalises a gateway purchase from what the gateway says, exactly once: the pending → active (or
   * failed) transition is a conditional update, so concurrent or repeated calls enable the add-on and
   * publish its event once, and all answer the same purchase.
   */
  async completePayment(request: PurchaseRequest, purchaseId: string): Promise<AddonPurchase> {
    const purchase = await this.purchases.find(request.orgId, purchaseId);
    if (!purchase) throw new AppError('NOT_FOUND', `No add-on purchase ${purchaseId} for this organisation`);
    if (purchase.status === 'pending' && purchase.paymentIntentId) await this.settle(purchase);
    const current = (await this.purchases.find(request.orgId, purchaseId))!;
    if (current.status === 'failed') {
      throw new AppError('PAYMENT_FAILED', `The payment for ${current.serviceName} failed: ${current.failureReason}`, { purchaseId });
    }
    return (await this.withDerivedStatus(request, [current]))[0];
  }

  /** The payment webhook: finalises the add-on purchase its metadata names, if any. */
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

  async list(request: PurchaseRequest, filter: { status?: PurchaseStatus; serviceName?: string }): Promise<AddonPurchase[]> {
    const purchases = await this.withDerivedStatus(request, await this.purchases.list(request.orgId, filter.serviceName));
    return filter.status ? purchases.filter((p) => p.status === filter.status) : purchases;
  }

  private requireConfiguredGateway(requested: string | undefined): void {
    if (requested && requested !== this.gateway.name) {
      throw new AppError('VALIDATION_FAILED', `This deployment takes payments through ${this.gateway.name}`, {
        fields: [{ path: 'body.gateway', message: `must be ${this.gateway.name}` }],
      });
    }
  }

  /** Asks orgs, which also answers NOT_FOUND for an org that does not exist, so nothing is sold to one. */
  private async requireCurrentAgreement(request: PurchaseRequest, addon: Addon): Promise<void> {
    const latest = (await this.agreements.latest(request.orgId, [addon.serviceName], request.requestId)).get(addon.serviceName);
    if (!addon.requiresAgreement || isAccepted(latest, addon.termsVersion)) return;
    throw new AppError('AGREEMENT_REQUIRED', `Accept the current terms (version ${addon.termsVersion}) of ${addon.serviceName} first`, {
      serviceName: addon.serviceName,
      currentTermsVersion: addon.termsVersion,
      acceptedTermsVersion: latest?.action === 'accepted' ? latest.termsVersion : null,
    });
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
      const period = await this.nextPeriod(trx, purchase, now);
      if (!(await this.purchases.activate(trx, purchase.id, { ...period, completedAt: now }))) return;
      await this.outbox.add(trx, ServicePurchasedEvent, purchase.orgId, { ...eventData(purchase), ...period, completedAt: now });
    });
  }

  private async markFailed(purchase: StoredPurchase, reason: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const now = this.clock.now();
      if (!(await this.purchases.fail(trx, purchase.id, reason, now))) return;
      await this.outbox.add(trx, ServicePurchaseFailedEvent, purchase.orgId, { ...eventData(purchase), failedAt: now, reason });
    });
  }

  /** A recurring add-on bought again while paid for extends it: the new month starts when the current one ends. */
  private async nextPeriod(trx: Knex.Transaction, purchase: StoredPurchase, now: number) {
    if (purchase.billingMode === 'one-off') return { periodStart: now, periodEnd: null };
    const currentEnd = await this.purchases.latestPeriodEnd(trx, purchase.orgId, purchase.serviceName);
    const periodStart = Math.max(now, currentEnd ?? 0);
    return { periodStart, periodEnd: addMonthUtc(periodStart) };
  }

  /**
   * Statuses as the org sees them: an active purchase whose paid period is over is `expired`; one of
   * an add-on whose terms the org has revoked is `suspended` (no refund) until the terms are accepted again.
   */
  private async withDerivedStatus(request: PurchaseRequest, stored: StoredPurchase[]): Promise<AddonPurchase[]> {
    const now = this.clock.now();
    const gated = [...new Set(stored.filter((p) => p.status === 'active' && p.termsVersion !== null).map((p) => p.serviceName))];
    const agreements = await this.agreements.latest(request.orgId, gated, request.requestId);
    return stored.map((purchase) => {
      let status: PurchaseStatus = purchase.status;
      if (status === 'active' && purchase.periodEnd !== null && purchase.periodEnd <= now) status = 'expired';
      else if (status === 'active' && purchase.termsVersion !== null && !isAccepted(agreements.get(purchase.serviceName))) status = 'suspended';
      return { ...publicView(purchase), status };
    });
  }

  private newPurchase(request: PurchaseRequest, addon: Addon, paymentSource: AddonPurchase['paymentSource']): StoredPurchase {
    return {
      id: newId('purchase'),
      orgId: request.orgId,
      serviceName: addon.serviceName,
      status: 'pending',
      billingMode: addon.billingMode,
      amount: addon.price.amount,
      currency: addon.price.currency,
      paymentSource,
      gateway: paymentSource === 'gateway' ? this.gateway.name : null,
      paymentIntentId: null,
      termsVersion: addon.requiresAgreement ? addon.termsVersion : null,
      periodStart: null,
      periodEnd: null,
      purchasedBy: request.principal.sub,
      failureReason: null,
      createdAt: this.clock.now(),
      completedAt: null,
    };
  }
}

function publicView(purchase: StoredPurchase): AddonPurchase {
  const { failureReason: _failureReason, ...view } = purchase;
  return view;
}

function eventData(purchase: StoredPurchase) {
  return {
    orgId: purchase.orgId,
    purchaseId: purchase.id,
    serviceName: purchase.serviceName,
    billingMode: purchase.billingMode,
    amount: purchase.amount,
    currency: purchase.currency,
    paymentSource: purchase.paymentSource,
    termsVersion: purchase.termsVersion,
  };
}

import { Inject, Injectable } from '@nestjs/common';
import {
  Addon,
  AddonPurchase,
  AddonPurchaseBody,
  AddonPurchaseStarted,
  AddonPurchasedQuery,
  AppError,
  BillingEndpoints,
  CREDIT_CURRENCY,
  encodeCursor,
  newId,
  Principal,
  ServicePurchasedEvent,
} from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway, requireConfiguredGateway } from '@org-mgmt/payments';
import { Clock, CLOCK, IdempotencyKeys, Knex, Outbox, OUTBOX, ReplayedResponse } from '@org-mgmt/runtime';
import { LedgerService } from '../ledger/ledger.service';
import { NewTransaction } from '../ledger/transaction.repository';
import { AddonCatalogueService } from './addon-catalogue.service';
import { AddonPurchaseRepository, StoredPurchase } from './addon-purchase.repository';
import { AddonPurchaseStatus, isAccepted, purchaseEventData } from './addon-purchase-status';
import { OrgsClient } from '../clients/orgs.client';
import { nextPeriod } from './billing-period';

export interface PurchaseRequest {
  orgId: string;
  principal: Principal;
  requestId: string;
}

@Injectable()
export class AddonPurchaseService {
  constructor(
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly catalogue: AddonCatalogueService,
    private readonly purchases: AddonPurchaseRepository,
    private readonly orgs: OrgsClient,
    private readonly idempotency: IdempotencyKeys,
    private readonly ledger: LedgerService,
    private readonly status: AddonPurchaseStatus,
  ) {}

  /**
   * Buys an add-on at the price the catalogue says now. From the credit balance it is paid and active
   * at once (or refused with INSUFFICIENT_BALANCE, changing nothing); through the payment gateway it
   * answers the intent's client secret and stays pending until complete-payment verifies the payment.
   * An Idempotency-Key replays the first answer.
   */
  async purchase(
    request: PurchaseRequest,
    body: AddonPurchaseBody,
    idempotencyKey?: string,
  ): Promise<AddonPurchaseStarted | ReplayedResponse> {
    const addon = await this.catalogue.get(body.serviceName);
    if (body.paymentSource === 'gateway') requireConfiguredGateway(this.gateway, body.gateway);
    if (body.paymentSource === 'credits' && addon.price.currency !== CREDIT_CURRENCY) {
      throw new AppError(
        'UNPROCESSABLE',
        `${addon.name} is priced in ${addon.price.currency}; credits are held in ${CREDIT_CURRENCY}`,
      );
    }
    await this.ledger.requireOpen(request.orgId);
    await this.requireCurrentAgreement(request, addon);
    const idempotent = {
      scope: BillingEndpoints.servicesPurchase.pattern,
      account: request.principal.orgId,
      key: idempotencyKey,
      parameters: { orgId: request.orgId, body },
    };
    return this.idempotency.run(idempotent, (trx) =>
      body.paymentSource === 'credits'
        ? this.payFromCredits(trx, request, addon)
        : this.startGatewayPayment(trx, request, addon, body.paymentMethodId),
    );
  }

  private async payFromCredits(
    trx: Knex.Transaction,
    request: PurchaseRequest,
    addon: Addon,
  ): Promise<AddonPurchaseStarted> {
    const purchase = this.newPurchase(request, addon, 'credits');
    // Lock order as in settlement: the org's balance row, then the add-on.
    await this.ledger.lockOpen(trx, request.orgId);
    await this.purchases.lockAddon(trx, request.orgId, addon.serviceName);
    const now = this.clock.now();
    const period = nextPeriod(
      addon.billingMode,
      now,
      await this.purchases.latestPeriodEnd(trx, request.orgId, addon.serviceName),
    );
    Object.assign(purchase, { status: 'active', ...period, completedAt: now });
    await this.purchases.insert(trx, purchase);
    const debit: NewTransaction = {
      id: newId('transaction'),
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
    };
    await this.ledger.record(trx, debit, request.principal.sub);
    await this.outbox.add(trx, ServicePurchasedEvent, request.orgId, {
      ...purchaseEventData(purchase),
      ...period,
      completedAt: now,
    });
    return { purchase, paymentIntentClientSecret: null };
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
    return { purchase, paymentIntentClientSecret: payment.clientSecret };
  }

  /**
   * A page of purchases as the org sees them. `active` and `suspended` are told apart only after
   * reading, so those filters read on until the page is full; the cursor is the last item returned.
   */
  async page(
    request: PurchaseRequest,
    query: AddonPurchasedQuery,
  ): Promise<{ items: AddonPurchase[]; nextCursor: string | null }> {
    const items: AddonPurchase[] = [];
    let cursor = query.cursor;
    for (;;) {
      const read = await this.purchases.page(request.orgId, { ...query, cursor, now: this.clock.now() });
      const derived = await this.status.derive(
        request.orgId,
        read.items.map((row) => row.purchase),
        request.requestId,
      );
      for (const [i, purchase] of derived.entries()) {
        if (query.status && purchase.status !== query.status) continue;
        items.push(purchase);
        if (items.length === query.limit) {
          const more = i < derived.length - 1 || read.nextCursor !== null;
          return { items, nextCursor: more ? encodeCursor(read.items[i].seq) : null };
        }
      }
      if (!read.nextCursor) return { items, nextCursor: null };
      cursor = read.nextCursor;
    }
  }

  /** Asks orgs, which also answers NOT_FOUND for an org that does not exist, so nothing is sold to one. */
  private async requireCurrentAgreement(request: PurchaseRequest, addon: Addon): Promise<void> {
    const latest = (await this.orgs.latestAgreements(request.orgId, [addon.serviceName], request.requestId)).get(
      addon.serviceName,
    );
    if (!addon.requiresAgreement || isAccepted(latest, addon.termsVersion)) return;
    throw new AppError(
      'AGREEMENT_REQUIRED',
      `Accept the current terms (version ${addon.termsVersion}) of ${addon.serviceName} first`,
      {
        serviceName: addon.serviceName,
        currentTermsVersion: addon.termsVersion,
        acceptedTermsVersion: latest?.action === 'accepted' ? latest.termsVersion : null,
      },
    );
  }

  private newPurchase(
    request: PurchaseRequest,
    addon: Addon,
    paymentSource: AddonPurchase['paymentSource'],
  ): StoredPurchase {
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

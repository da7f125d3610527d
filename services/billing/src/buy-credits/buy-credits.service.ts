import { Inject, Injectable } from '@nestjs/common';
import { BillingEndpoints, BuyCreditsBody, BuyCreditsResult, newId, Principal } from '@org-mgmt/contracts';
import { PAYMENT_GATEWAY, PaymentGateway, requireConfiguredGateway } from '@org-mgmt/payments';
import { CLOCK, Clock, IdempotencyKeys, Knex, ReplayedResponse } from '@org-mgmt/runtime';
import { OrgsClient } from '../clients/orgs.client';
import { LedgerService } from '../ledger/ledger.service';
import { TransactionRepository } from '../ledger/transaction.repository';

export interface BuyCreditsRequest {
  orgId: string;
  body: BuyCreditsBody;
  principal: Principal;
  requestId: string;
  idempotencyKey?: string;
}

/**
 * buy-credits opens a pending credit purchase and its payment at the gateway; nothing is credited
 * until complete-payment or the webhook settles it (see CompletePaymentService).
 */
@Injectable()
export class BuyCreditsService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly idempotency: IdempotencyKeys,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly orgs: OrgsClient,
  ) {}

  async buyCredits(request: BuyCreditsRequest): Promise<BuyCreditsResult | ReplayedResponse> {
    const { orgId, body, principal } = request;
    requireConfiguredGateway(this.gateway, body.gateway);
    await this.orgs.requireExists(orgId, request.requestId);
    await this.ledger.requireOpen(orgId);
    return this.idempotency.run(
      {
        scope: BillingEndpoints.buyCredits.pattern,
        account: principal.orgId,
        key: request.idempotencyKey,
        parameters: { orgId, body },
      },
      (trx) => this.openPurchase(trx, request),
    );
  }

  private async openPurchase(trx: Knex.Transaction, { orgId, body, principal }: BuyCreditsRequest) {
    const transactionId = newId('transaction');
    await this.transactions.insert(trx, {
      id: transactionId,
      orgId,
      type: 'purchase',
      status: 'pending',
      amount: body.amount,
      currency: body.currency,
      gateway: this.gateway.name,
      reason: 'Credit purchase',
      createdBy: principal.sub,
      createdAt: this.clock.now(),
    });
    const payment = await this.gateway.createPayment({
      amount: body.amount,
      currency: body.currency,
      orgId,
      purpose: 'credits',
      metadata: { transactionId },
      paymentMethodId: body.paymentMethodId,
      description: `Credits for ${orgId}`,
      idempotencyKey: transactionId,
    });
    await this.transactions.setPaymentIntent(trx, transactionId, payment.paymentId);
    return {
      transactionId,
      paymentIntentId: payment.paymentId,
      paymentIntentClientSecret: payment.clientSecret,
      amount: body.amount,
      currency: body.currency,
      status: 'pending' as const,
    };
  }
}

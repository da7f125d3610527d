import { Injectable } from '@nestjs/common';
import { BillingEndpoints, CreditResult, GiftCreditsBody, Principal } from '@org-mgmt/contracts';
import { IdempotencyKeys, ReplayedResponse } from '@org-mgmt/runtime';
import { OrgsClient } from '../clients/orgs.client';
import { LedgerService } from '../ledger/ledger.service';

/** Promotional credits an operator gives an org, with who and why. */
@Injectable()
export class GiftCreditsService {
  constructor(
    private readonly idempotency: IdempotencyKeys,
    private readonly ledger: LedgerService,
    private readonly orgs: OrgsClient,
  ) {}

  async giftCredits(
    body: GiftCreditsBody,
    principal: Principal,
    requestId: string,
    idempotencyKey?: string,
  ): Promise<CreditResult | ReplayedResponse> {
    await this.orgs.requireExists(body.orgId, requestId);
    return this.idempotency.run(
      { scope: BillingEndpoints.giftCredits.pattern, account: principal.orgId, key: idempotencyKey, parameters: body },
      (trx) => this.ledger.grant(trx, { ...body, type: 'gift' }, principal),
    );
  }
}

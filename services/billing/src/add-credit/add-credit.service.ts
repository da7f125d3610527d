import { Injectable } from '@nestjs/common';
import { AddCreditBody, AppError, BillingEndpoints, CreditResult, Principal } from '@org-mgmt/contracts';
import { IdempotencyKeys, Knex, ReplayedResponse } from '@org-mgmt/runtime';
import { OrgsClient } from '../clients/orgs.client';
import { LedgerService } from '../ledger/ledger.service';
import { TransactionRepository } from '../ledger/transaction.repository';

/** An operator's adjustment or refund of an org's credits, with who and why. */
@Injectable()
export class AddCreditService {
  constructor(
    private readonly idempotency: IdempotencyKeys,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly orgs: OrgsClient,
  ) {}

  async addCredit(
    body: AddCreditBody,
    principal: Principal,
    requestId: string,
    idempotencyKey?: string,
  ): Promise<CreditResult | ReplayedResponse> {
    await this.orgs.requireExists(body.orgId, requestId);
    return this.idempotency.run(
      { scope: BillingEndpoints.addCredit.pattern, account: principal.orgId, key: idempotencyKey, parameters: body },
      async (trx) => {
        if (body.relatedTransactionId) await this.requireTransactionOf(trx, body.orgId, body.relatedTransactionId);
        return this.ledger.grant(trx, body, principal);
      },
    );
  }

  private async requireTransactionOf(trx: Knex.Transaction, orgId: string, transactionId: string): Promise<void> {
    const related = await this.transactions.find(transactionId, trx);
    if (!related || related.orgId !== orgId) {
      throw new AppError('VALIDATION_FAILED', 'relatedTransactionId names no transaction of this org', {
        fields: [{ path: 'body.relatedTransactionId', message: 'no such transaction in this org' }],
      });
    }
  }
}

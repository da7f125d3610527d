import { Inject, Injectable } from '@nestjs/common';
import {
  AddCreditBody,
  AppError,
  BillingEndpoints,
  CreditResult,
  GiftCreditsBody,
  newId,
  Principal,
} from '@org-mgmt/contracts';
import { Clock, CLOCK, IdempotencyKeys, Knex, ReplayedResponse } from '@org-mgmt/runtime';
import { LedgerService } from '../ledger/ledger.service';
import { OrgDirectory } from '../ledger/org-directory';
import { NewTransaction, TransactionRepository } from '../ledger/transaction.repository';

/** Operator credits: promotional gifts, adjustments and refunds, each with who and why. */
@Injectable()
export class GrantService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly idempotency: IdempotencyKeys,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly orgs: OrgDirectory,
  ) {}

  async gift(
    body: GiftCreditsBody,
    principal: Principal,
    requestId: string,
    idempotencyKey?: string,
  ): Promise<CreditResult | ReplayedResponse> {
    await this.orgs.requireExists(body.orgId, requestId);
    return this.idempotency.run(
      { scope: BillingEndpoints.giftCredits.pattern, account: principal.orgId, key: idempotencyKey, parameters: body },
      (trx) => this.grant(trx, { ...body, type: 'gift' }, principal),
    );
  }

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
        return this.grant(trx, body, principal);
      },
    );
  }

  private async grant(
    trx: Knex.Transaction,
    grant: {
      orgId: string;
      amount: number;
      currency: string;
      reason: string;
      type: 'gift' | 'adjustment' | 'refund';
      relatedTransactionId?: string;
    },
    principal: Principal,
  ): Promise<CreditResult> {
    const now = this.clock.now();
    const txn: NewTransaction = {
      id: newId('transaction'),
      orgId: grant.orgId,
      type: grant.type,
      status: 'succeeded',
      amount: grant.amount,
      currency: grant.currency,
      reason: grant.reason,
      relatedTransactionId: grant.relatedTransactionId ?? null,
      createdBy: principal.sub,
      createdAt: now,
      completedAt: now,
    };
    await this.transactions.insert(trx, txn);
    const stored = (await this.transactions.find(txn.id, trx))!;
    const balance = await this.ledger.post(trx, stored, principal.sub);
    return { transaction: { ...stored, balanceAfter: balance }, balance };
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

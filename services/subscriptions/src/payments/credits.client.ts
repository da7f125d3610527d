import { Inject, Injectable } from '@nestjs/common';
import { AppError, BillingEndpoints, DebitBody, DebitResult } from '@org-mgmt/contracts';
import { AppConfig, call, CONFIG, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';
import { randomUUID } from 'node:crypto';

export type DebitOutcome = { ok: true; result: DebitResult } | { ok: false; declined: boolean; error: AppError };

/** Pays from the org's credit balance through billing's internal debit, as the System principal. */
@Injectable()
export class CreditsClient {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Debits once per `reference`: a retry with the same reference answers the first result, so a
   * crash between the debit and our own commit is repaired by debiting again.
   */
  async debit(body: DebitBody): Promise<DebitOutcome> {
    try {
      const result = await call<DebitResult>(this.rpc, BillingEndpoints.debit.pattern, {
        principal: { sub: 'service:subscriptions', orgId: this.config.ROOT_ORG_ID, roles: ['System'] },
        orgId: body.orgId,
        requestId: randomUUID(),
        body,
      });
      return { ok: true, result };
    } catch (err) {
      const error = err instanceof AppError ? err : new AppError('SERVICE_UNAVAILABLE', 'billing could not be reached');
      return { ok: false, declined: error.code === 'INSUFFICIENT_BALANCE', error };
    }
  }
}

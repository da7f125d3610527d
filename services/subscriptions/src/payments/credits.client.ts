import { Inject, Injectable } from '@nestjs/common';
import { AppError, BillingEndpoints, DebitBody, DebitResult } from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

export type DebitOutcome = { ok: true; result: DebitResult } | { ok: false; declined: boolean; error: AppError };

/** Pays from the org's credit balance through billing's internal debit, as the System principal. */
@Injectable()
export class CreditsClient {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  /**
   * Debits once per `reference`: a retry with the same reference answers the first result, so a
   * crash between the debit and our own commit is repaired by debiting again.
   */
  async debit(body: DebitBody): Promise<DebitOutcome> {
    try {
      return {
        ok: true,
        result: await callAsSystem(this.rpc, 'subscriptions', BillingEndpoints.debit, { orgId: body.orgId, body }),
      };
    } catch (err) {
      const error = err instanceof AppError ? err : new AppError('SERVICE_UNAVAILABLE', 'billing could not be reached');
      // Both refusals debit nothing: a balance that does not cover it, a ledger closed by the org's deletion.
      return { ok: false, declined: error.code === 'INSUFFICIENT_BALANCE' || error.code === 'LEDGER_CLOSED', error };
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  BillingEndpoints,
  DebitBody,
  DebitResult,
  Subscription,
  renewalDebitReference,
} from '@org-mgmt/contracts';
import { callAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** A renewal's charge: paid, refused by billing (with its reason), or billing could not be reached. */
export type RenewalCharge = 'paid' | 'retry-later' | { reason: string };

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

  /**
   * Charges one period of a subscription, by the reference `renewal:<subscription>:<period end>`,
   * so a crash or a second replica never charges a period twice. Nothing to pay is paid.
   */
  async chargeRenewal(
    sub: Pick<Subscription, 'id' | 'orgId' | 'plan' | 'interval' | 'currency'>,
    amount: number,
    periodEndAt: number,
  ): Promise<RenewalCharge> {
    if (amount === 0) return 'paid';
    const outcome = await this.debit({
      orgId: sub.orgId,
      reference: renewalDebitReference(sub.id, periodEndAt),
      amount,
      currency: sub.currency,
      reason: `Subscription renewal: ${sub.plan} (${sub.interval}) from ${new Date(periodEndAt).toISOString()}`,
    });
    if (outcome.ok) return 'paid';
    return outcome.declined ? { reason: outcome.error.message } : 'retry-later';
  }
}

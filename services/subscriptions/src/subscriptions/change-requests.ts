import { Injectable } from '@nestjs/common';
import { AppError, BillingInterval, PaymentChoice, PlanId, Principal } from '@org-mgmt/contracts';
import {
  IdempotencyKeys,
  isUniqueViolation,
  Knex,
  ReplayedResponse,
  requireOrgId,
  RpcContext,
} from '@org-mgmt/runtime';
import { DeletedOrgsRepository } from '../org-events/deleted-orgs.repository';
import { PaymentFlow } from '../payments/payment-flow';
import { PaymentPurpose, paymentKey, PaymentRepository } from '../payments/payment.repository';
import { compareChange } from '../plans/catalogue';
import { StoredSubscription, SubscriptionRepository } from './subscription.repository';

/** Who asks for a change of the org's subscription, with the request's Idempotency-Key. */
export interface ChangeRequest {
  orgId: string;
  principal: Principal;
  idempotencyKey?: string;
}

export function changeRequest(ctx: RpcContext): ChangeRequest {
  return { orgId: requireOrgId(ctx), principal: ctx.principal, idempotencyKey: ctx.idempotencyKey };
}

/** What every customer change request checks before it changes anything. */
@Injectable()
export class ChangeRequests {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly payments: PaymentRepository,
    private readonly flow: PaymentFlow,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly deletedOrgs: DeletedOrgsRepository,
  ) {}

  checkPayment(payment: PaymentChoice | undefined): void {
    requirePayment(payment);
    this.flow.checkChoice(payment);
  }

  async lockedLive(trx: Knex.Transaction, orgId: string): Promise<StoredSubscription> {
    const sub = await this.subscriptions.lockLive(trx, orgId);
    if (!sub) throw new AppError('NOT_FOUND', `Organisation ${orgId} has no live subscription`);
    return sub;
  }

  /** A deleted org's subscription ended with it (org.deleted); nobody can start a new one. */
  async requireNotDeleted(trx: Knex.Transaction, orgId: string): Promise<void> {
    if (await this.deletedOrgs.isDeleted(trx, orgId))
      throw new AppError('CONFLICT', `Organisation ${orgId} was deleted: it cannot subscribe again`);
  }

  /**
   * A request repeated with the same Idempotency-Key answers the first result, byte for byte, and charges nothing.
   * Inside a transaction, pass it: a second pool connection while holding the row lock starves the pool.
   */
  async replay(
    req: ChangeRequest,
    purpose: PaymentPurpose,
    plan: PlanId,
    interval: BillingInterval,
    trx?: Knex.Transaction,
  ): Promise<ReplayedResponse | null> {
    if (!req.idempotencyKey) return null;
    const earlier = await this.idempotencyKeys.find(
      paymentKey(req.orgId, req.idempotencyKey, { purpose, plan, interval }),
      trx,
    );
    if (!earlier) return null;
    if (earlier.replay) return earlier.replay;
    const payment = await this.payments.findByIdempotencyKey(req.orgId, req.idempotencyKey, trx);
    if (payment?.status === 'failed') throw new AppError('PAYMENT_FAILED', 'The payment of this request failed');
    throw new AppError('CONFLICT', 'The request with this Idempotency-Key is still being paid');
  }
}

export function orderedBy(req: ChangeRequest) {
  return { orgId: req.orgId, requestedBy: req.principal.sub, idempotencyKey: req.idempotencyKey ?? null };
}

export function cardOf(payment: PaymentChoice | undefined): string | undefined {
  return payment?.method === 'card' ? payment.paymentMethodId : undefined;
}

export function requirePayment(payment: PaymentChoice | undefined): asserts payment is PaymentChoice {
  if (payment) return;
  throw new AppError('VALIDATION_FAILED', 'A paid plan needs a payment', {
    fields: [{ path: 'body.payment', message: 'required for a paid plan: {"method": "credits"} or a card' }],
  });
}

/** Why a plan change is refused: the move asked for is not the one the endpoint makes. */
export function notA(move: {
  wanted: 'upgrade' | 'downgrade';
  kind: ReturnType<typeof compareChange>;
  from: StoredSubscription;
  to: { plan: PlanId; interval: BillingInterval };
}): AppError {
  const { wanted, kind } = move;
  const from = `${move.from.plan} (${move.from.interval})`;
  const to = `${move.to.plan} (${move.to.interval})`;
  const hint =
    kind === 'same'
      ? 'it is the current plan'
      : kind === 'mixed'
        ? 'a higher plan on a shorter interval is not one move: do it in two'
        : `use ${wanted === 'upgrade' ? 'downgrade' : 'upgrade'}`;
  return new AppError(
    'CONFLICT',
    `${from} → ${to} is not ${wanted === 'upgrade' ? 'an upgrade' : 'a downgrade'}: ${hint}`,
  );
}

/** Two racing writers: the unique indexes decide; the loser gets a 409, never a 500. */
export function uniqueAsConflict(err: unknown): never {
  if (isUniqueViolation(err)) throw new AppError('CONFLICT', 'A concurrent request changed this subscription; retry');
  throw err;
}

import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  BillingInterval,
  PlanId,
  Subscription,
  SubscriptionAdminUpdate,
  SubscriptionCancel,
  SubscriptionChangeResult,
  SubscriptionCreate,
  SubscriptionDowngrade,
} from '@org-mgmt/contracts';
import { CLOCK, Clock, Knex, ReplayedResponse } from '@org-mgmt/runtime';
import { DeletedOrgsRepository } from '../org-events/deleted-orgs.repository';
import { PaymentFlow } from '../payments/payment-flow';
import { SubscriptionPayment } from '../payments/payment.repository';
import { compareChange, priceOf } from '../plans/catalogue';
import { ChangeRecorder } from './change-recorder';
import { cardOf, ChangeRequest, ChangeRequests, notA, orderedBy, uniqueAsConflict } from './change-requests';
import { publicSubscription, StoredSubscription, SubscriptionRepository } from './subscription.repository';
import { alreadySubscribed, SubscriptionTransitions } from './transitions';

/** The customer-facing lifecycle and the operator override. */
@Injectable()
export class SubscriptionService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionRepository,
    private readonly requests: ChangeRequests,
    private readonly transitions: SubscriptionTransitions,
    private readonly recorder: ChangeRecorder,
    private readonly flow: PaymentFlow,
    private readonly deletedOrgs: DeletedOrgsRepository,
  ) {}

  async current(orgId: string): Promise<Subscription> {
    const sub = await this.subscriptions.current(orgId);
    if (!sub) throw new AppError('NOT_FOUND', `Organisation ${orgId} has no subscription`);
    return publicSubscription(sub);
  }

  /** A free plan starts at once; a paid plan starts when its first period is paid. */
  async create(req: ChangeRequest, input: SubscriptionCreate): Promise<SubscriptionChangeResult | ReplayedResponse> {
    const replay = await this.requests.replay(req, 'create', input.plan, input.interval);
    if (replay) return replay;
    const amount = priceOf(input.plan, input.interval);
    if (amount > 0) this.requests.checkPayment(input.payment);
    const now = this.clock.now();
    const outcome = await this.recorder
      .transaction(
        async (
          trx,
        ): Promise<{ kind: 'free'; sub: StoredSubscription } | { kind: 'opened'; payment: SubscriptionPayment }> => {
          await this.requireNotDeleted(trx, req.orgId);
          if (await this.subscriptions.lockLive(trx, req.orgId)) throw alreadySubscribed();
          if (amount === 0) {
            const sub = await this.transitions.start(trx, {
              ...input,
              orgId: req.orgId,
              at: now,
              changedBy: req.principal.sub,
              amountCharged: 0,
            });
            return { kind: 'free', sub };
          }
          const opened = await this.flow.open(trx, {
            ...orderedBy(req),
            purpose: 'create',
            subscriptionId: null,
            plan: input.plan,
            interval: input.interval,
            amount,
            choice: input.payment!,
            proration: null,
            at: now,
          });
          return { kind: 'opened', payment: opened };
        },
      )
      .catch(uniqueAsConflict);
    if (outcome.kind === 'free')
      return { subscription: publicSubscription(outcome.sub), amountCharged: 0, proration: null, payment: null };
    return this.flow.collect(outcome.payment, cardOf(input.payment));
  }

  /** Takes effect at the period end; replaces an earlier scheduled downgrade or cancellation. */
  async downgrade(req: ChangeRequest, input: SubscriptionDowngrade): Promise<Subscription> {
    return this.recorder.transaction(async (trx) => {
      const sub = await this.requests.lockedLive(trx, req.orgId);
      const interval = input.interval ?? sub.interval;
      const kind = compareChange(sub, { plan: input.plan, interval });
      if (kind !== 'downgrade')
        throw notA({ wanted: 'downgrade', kind, from: sub, to: { plan: input.plan, interval } });
      const after = await this.transitions.scheduleDowngrade(
        trx,
        sub,
        { plan: input.plan, interval },
        { changedBy: req.principal.sub, at: this.clock.now() },
      );
      return publicSubscription(after);
    });
  }

  /** At the period end by default (repeating it changes nothing); `immediate` ends it now, without refund. */
  async cancel(req: ChangeRequest, input: SubscriptionCancel): Promise<Subscription> {
    return this.recorder.transaction(async (trx) => {
      const sub = await this.requests.lockedLive(trx, req.orgId);
      const by = { changedBy: req.principal.sub, at: this.clock.now(), reason: input.reason ?? null };
      const after = input.immediate
        ? await this.transitions.cancelNow(trx, sub, by)
        : await this.transitions.scheduleCancellation(trx, sub, by);
      return publicSubscription(after);
    });
  }

  /** Ends the org's live subscription now (the account was cancelled); nothing live is a no-op. */
  async cancelForAccount(
    trx: Knex.Transaction,
    orgId: string,
    changedBy: string,
    reason: string | null,
  ): Promise<void> {
    const sub = await this.subscriptions.lockLive(trx, orgId);
    if (sub)
      await this.transitions.cancelNow(trx, sub, {
        changedBy,
        at: this.clock.now(),
        reason: reason ?? 'Account cancelled',
      });
  }

  /**
   * org.deleted: the live subscription ends now, like an immediate cancel (no refund), recorded with
   * the deletion's reason; the org is remembered so nothing starts a subscription for it again.
   */
  async cancelForDeletedOrg(
    trx: Knex.Transaction,
    deleted: { orgId: string; deletedBy: string; reason: string; deletedAt: number },
  ): Promise<void> {
    await this.deletedOrgs.record(trx, deleted);
    await this.cancelForAccount(trx, deleted.orgId, deleted.deletedBy, `Organisation deleted: ${deleted.reason}`);
  }

  /**
   * org.created with a plan: the operator who registered the org chose it, so its first period starts
   * without a charge (as admin/update starts one); renewals charge from then on. Skipped for a
   * deleted org or one that already has a live subscription.
   */
  async startForRegistration(
    trx: Knex.Transaction,
    input: { orgId: string; planId: PlanId; interval: BillingInterval; changedBy: string },
  ): Promise<boolean> {
    if (await this.deletedOrgs.isDeleted(trx, input.orgId)) return false;
    if (await this.subscriptions.lockLive(trx, input.orgId)) return false;
    await this.transitions.start(trx, {
      orgId: input.orgId,
      plan: input.planId,
      interval: input.interval,
      at: this.clock.now(),
      changedBy: input.changedBy,
      amountCharged: 0,
    });
    return true;
  }

  /**
   * subscriptions.registration.start: org-register asks before it answers, so the plan's flags hold
   * for the very next request; the org.created path then finds the subscription live and does nothing.
   */
  startRegistered(input: {
    orgId: string;
    planId: PlanId;
    interval: BillingInterval;
    changedBy: string;
  }): Promise<{ started: boolean }> {
    return this.recorder.transaction(async (trx) => {
      if (await this.startForRegistration(trx, input)) return { started: true };
      // org.created got here first: its hand-over to orgs may still be on its way, so hand the state over too.
      const live = await this.subscriptions.lockLive(trx, input.orgId);
      if (live) this.recorder.handOverState(trx, live, 'created', input.changedBy);
      return { started: false };
    });
  }

  /**
   * The operator override: any of plan, interval, price, period end, status and flag overrides, with
   * a reason, applied at once without a charge and audited (who, why, before and after). Flag
   * overrides travel to orgs on the subscription.changed event. With no subscription, naming a plan
   * starts one.
   */
  async adminUpdate(req: ChangeRequest, input: SubscriptionAdminUpdate): Promise<Subscription> {
    return this.recorder.transaction(async (trx) => {
      const now = this.clock.now();
      const changedBy = req.principal.sub;
      let sub = await this.subscriptions.lockLive(trx, req.orgId);
      if (!sub) {
        await this.requireNotDeleted(trx, req.orgId);
        if (!input.plan)
          throw new AppError(
            'NOT_FOUND',
            `Organisation ${req.orgId} has no live subscription: name a plan to start one`,
          );
        sub = await this.transitions.start(trx, {
          orgId: req.orgId,
          plan: input.plan,
          interval: input.interval ?? 'month',
          at: now,
          changedBy,
          amountCharged: 0,
          priceAmount: input.priceAmount,
        });
      }
      const after = await this.transitions.override(trx, sub, input, { changedBy, at: now });
      return publicSubscription(after);
    });
  }

  /** A deleted org's subscription ended with it (org.deleted); operators cannot start a new one. */
  private async requireNotDeleted(trx: Knex.Transaction, orgId: string): Promise<void> {
    if (await this.deletedOrgs.isDeleted(trx, orgId))
      throw new AppError('CONFLICT', `Organisation ${orgId} was deleted: it cannot subscribe again`);
  }
}

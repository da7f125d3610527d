import { EventContract, newId, OrgCreatedEvent, OrgDeletedEvent, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { ManualClock } from '@org-mgmt/runtime';
import { RenewalWorker } from '@org-mgmt/subscriptions';
import { eventually, startTestSystem, StripeFake, TestSystem } from '@org-mgmt/testing';
import { connect } from 'nats';

const JAN_1 = Date.UTC(2026, 0, 1);
const FEB_1 = Date.UTC(2026, 1, 1);

/** Subscriptions reacting to orgs: org-register with a plan starts it (org.created), org.deleted ends it. */
describe('subscriptions on org registration and deletion', () => {
  const clock = new ManualClock(JAN_1);
  let sys: TestSystem;
  let fake: StripeFake;
  let root: string;

  beforeAll(async () => {
    fake = await StripeFake.start();
    sys = await startTestSystem({ clock, env: { ...fake.env(), SUBSCRIPTION_WORKER_INTERVAL_MS: '0' } });
    root = await sys.rootToken();
  });
  afterAll(async () => {
    await sys?.close();
    await fake?.close();
  });
  beforeEach(() => clock.set(JAN_1));

  const current = (orgId: string) => sys.api('GET', '/subscription/current', { token: root, orgid: orgId });
  const register = (body: Record<string, unknown>, token = root) =>
    sys.api('POST', '/org-register', {
      token,
      body: {
        companyName: `Org ${newId('event').slice(-8)}`,
        ownerEmail: `o-${newId('event').slice(-8)}@example.com`,
        ...body,
      },
    });
  const deleteOrg = (orgId: string, reason = 'Customer left') =>
    sys.api('POST', '/delete', { token: root, body: { orgId, reason } });
  const changesOf = (orgId: string) =>
    sys.db('subscriptions')('subscription_changes').where({ org_id: orgId }).orderBy('seq');
  async function eventsOf(orgId: string) {
    const rows = await sys
      .db('subscriptions')('outbox')
      .where({ subject: SubscriptionChangedEvent.subject })
      .orderBy('seq');
    return rows.map((r) => r.envelope.data).filter((d) => d.orgId === orgId);
  }
  async function storedEvent(contract: EventContract, orgId: string) {
    const [row] = await sys
      .db('orgs')('outbox')
      .where({ subject: contract.subject })
      .whereRaw("envelope->>'orgId' = ?", [orgId]);
    return row.envelope;
  }
  /** Publishes an envelope as JetStream would redeliver it (a new message id, so de-duplication lets it through). */
  async function publish(envelope: { type: string }) {
    const nc = await connect({ servers: sys.env.NATS_URL });
    await nc
      .jetstream()
      .publish(`${sys.env.NATS_SUBJECT_PREFIX}${envelope.type}`, JSON.stringify(envelope), { msgID: newId('event') });
    await nc.close();
  }
  const processed = async (consumer: string, eventId: string) =>
    (await sys.db('subscriptions')('processed_events').where({ consumer, event_id: eventId })).length;

  describe('org.deleted', () => {
    it('cancels the subscription at once, records the deletion reason, emits subscription.changed, and the worker never renews it', async () => {
      const org = await sys.registerOrg();
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'pro', reason: 'start' },
      });
      await sys.api('POST', '/billing/gift-credits', {
        token: root,
        body: { orgId: org.id, amount: 100_000, currency: 'USD', reason: 'renewals' },
      });
      expect((await deleteOrg(org.id, 'Merged into Acme')).status).toBe(200);
      await eventually(async () =>
        expect((await current(org.id)).body).toMatchObject({ status: 'cancelled', cancelledAt: JAN_1, features: [] }),
      );
      const changes = await changesOf(org.id);
      expect(changes.at(-1)).toMatchObject({
        change: 'cancelled',
        from_plan: 'pro',
        to_plan: 'pro',
        changed_by: 'root-operator',
        reason: 'Organisation deleted: Merged into Acme',
        amount_charged: 0,
      });
      expect((await eventsOf(org.id)).at(-1)).toMatchObject({
        change: 'cancelled',
        status: 'cancelled',
        plan: 'pro',
        changedBy: 'root-operator',
      });

      clock.set(FEB_1 + 1000);
      await sys.provider('subscriptions', RenewalWorker).runOnce();
      expect((await current(org.id)).body.status).toBe('cancelled');
      expect((await changesOf(org.id)).map((c) => c.change)).toEqual(['created', 'admin_updated', 'cancelled']);
      expect((await sys.api('GET', '/billing/balance', { token: root, orgid: org.id })).body.balance).toBe(100_000);
    });

    it('changes nothing for an org without a subscription', async () => {
      const org = await sys.registerOrg();
      await deleteOrg(org.id);
      const event = await storedEvent(OrgDeletedEvent, org.id);
      await eventually(async () => expect(await processed('subscriptions-org-deleted', event.id)).toBe(1));
      expect((await current(org.id)).status).toBe(404);
      expect(await changesOf(org.id)).toEqual([]);
      expect(await eventsOf(org.id)).toEqual([]);
    });

    it('refuses to start a subscription for a deleted org, even for an operator', async () => {
      const org = await sys.registerOrg();
      await deleteOrg(org.id);
      const deleted = await storedEvent(OrgDeletedEvent, org.id);
      await eventually(async () => expect(await processed('subscriptions-org-deleted', deleted.id)).toBe(1));
      const create = await sys.api('POST', '/subscription/create', {
        token: root,
        orgid: org.id,
        body: { plan: 'free' },
      });
      const admin = await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'pro', reason: 'start' },
      });
      for (const res of [create, admin]) {
        expect(res.status).toBe(409);
        expect(res.body.error.message).toContain('was deleted');
      }
      expect((await current(org.id)).status).toBe(404);
    });

    it('cancels once when org.deleted is delivered again', async () => {
      const org = await sys.registerOrg();
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'basic', reason: 'start' },
      });
      await deleteOrg(org.id);
      await eventually(async () => expect((await current(org.id)).body.status).toBe('cancelled'));
      const event = await storedEvent(OrgDeletedEvent, org.id);
      await publish(event);
      // a later event through the same consumer: once it is handled, the redelivery before it was too
      const marker = await sys.registerOrg();
      await deleteOrg(marker.id);
      await eventually(async () =>
        expect(await processed('subscriptions-org-deleted', (await storedEvent(OrgDeletedEvent, marker.id)).id)).toBe(
          1,
        ),
      );
      expect((await changesOf(org.id)).map((c) => c.change)).toEqual(['created', 'admin_updated', 'cancelled']);
      expect((await eventsOf(org.id)).filter((e) => e.change === 'cancelled')).toHaveLength(1);
    });
  });

  describe('a card payment that succeeds after the deletion', () => {
    const card = { method: 'card', gateway: 'stripe', paymentMethodId: 'pm_card_visa' };

    async function pendingCardChange(path: string, plan: string) {
      const org = await sys.registerOrg();
      const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
      if (path === '/subscription/upgrade')
        await sys.api('POST', '/subscription/admin/update', {
          token: root,
          orgid: org.id,
          body: { plan: 'basic', reason: 'start' },
        });
      const started = await sys.api('POST', path, { token: admin, body: { plan, payment: card } });
      expect(started.status).toBeLessThan(300);
      await deleteOrg(org.id);
      const deleted = await storedEvent(OrgDeletedEvent, org.id);
      await eventually(async () => expect(await processed('subscriptions-org-deleted', deleted.id)).toBe(1));
      fake.settle(started.body.payment.paymentIntentId, { status: 'succeeded' });
      return { org, payment: started.body.payment as { paymentId: string; paymentIntentId: string } };
    }

    it.each([
      ['/subscription/create', 'pro'],
      ['/subscription/upgrade', 'team'],
    ])('%s: applies nothing and records the payment as owed back, answering 409', async (path, plan) => {
      const { org, payment } = await pendingCardChange(path, plan);
      const body = { paymentId: payment.paymentId, paymentIntentId: payment.paymentIntentId, gateway: 'stripe' };
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await sys.api('POST', '/subscription/complete-payment', { body });
        expect(res.status).toBe(409);
        expect(res.body.error.details).toEqual({
          paymentId: payment.paymentId,
          refundDue: true,
          reason: 'org_deleted',
        });
      }
      expect(
        await sys.db('subscriptions')('subscription_payments').where({ id: payment.paymentId }).first(),
      ).toMatchObject({ status: 'succeeded', refund_due_reason: 'org_deleted' });
      const sub = await current(org.id);
      if (path === '/subscription/create') expect(sub.status).toBe(404);
      else expect(sub.body).toMatchObject({ plan: 'basic', status: 'cancelled' });
      expect((await changesOf(org.id)).map((c) => c.change)).not.toContain('upgraded');
    });
  });

  describe('POST /org-register with a plan', () => {
    it('answers the requested plan and the subscription starts on it shortly after, without a charge', async () => {
      const res = await register({ plan: { planId: 'pro', interval: 'year' } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^org_/),
        serviceStatus: 'ACTIVE',
        plan: { planId: 'pro', interval: 'year' },
      });
      await eventually(async () => {
        const sub = await current(res.body.id);
        expect(sub.status).toBe(200);
        expect(sub.body).toMatchObject({
          plan: 'pro',
          interval: 'year',
          status: 'active',
          priceAmount: 29000,
          currentPeriodStart: JAN_1,
          currentPeriodEnd: Date.UTC(2027, 0, 1),
        });
      });
      expect(await changesOf(res.body.id)).toEqual([
        expect.objectContaining({ change: 'created', to_plan: 'pro', amount_charged: 0, changed_by: 'root-operator' }),
      ]);
      const admin = await sys.token({ orgId: res.body.id });
      expect((await sys.api('GET', '/subscription/current', { token: admin })).body.plan).toBe('pro');
    });

    it('defaults the interval to month, and registers without a subscription when no plan is given', async () => {
      const monthly = await register({ plan: { planId: 'basic' } });
      expect(monthly.body.plan).toEqual({ planId: 'basic', interval: 'month' });
      await eventually(async () =>
        expect((await current(monthly.body.id)).body).toMatchObject({
          plan: 'basic',
          interval: 'month',
          currentPeriodEnd: FEB_1,
        }),
      );
      const without = await register({});
      expect(without.status).toBe(201);
      expect(without.body.plan).toBeNull();
      const event = await storedEvent(OrgCreatedEvent, without.body.id);
      expect(event.data.plan).toBeUndefined();
      await eventually(async () => expect(await processed('subscriptions-org-created', event.id)).toBe(1));
      expect((await current(without.body.id)).status).toBe(404);
    });

    it('refuses an unknown plan or interval and a malformed plan with 400 naming the field, creating no org', async () => {
      const cases: [unknown, string][] = [
        [{ planId: 'platinum' }, 'body.plan.planId'],
        [{ planId: 'pro', interval: 'week' }, 'body.plan.interval'],
        [{ interval: 'month' }, 'body.plan.planId'],
        [{ planId: 'pro', seats: 3 }, 'body.plan'],
        ['pro', 'body.plan'],
      ];
      for (const [plan, path] of cases) {
        const companyName = `Refused ${newId('event').slice(-8)}`;
        const res = await register({ companyName, plan });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
        expect(await sys.db('orgs')('organizations').where({ company_name: companyName })).toEqual([]);
      }
    });

    it('starts one subscription when org.created is delivered again', async () => {
      const res = await register({ plan: { planId: 'team' } });
      await eventually(async () => expect((await current(res.body.id)).status).toBe(200));
      await publish(await storedEvent(OrgCreatedEvent, res.body.id));
      const marker = await register({});
      await eventually(async () =>
        expect(
          await processed('subscriptions-org-created', (await storedEvent(OrgCreatedEvent, marker.body.id)).id),
        ).toBe(1),
      );
      expect((await changesOf(res.body.id)).map((c) => c.change)).toEqual(['created']);
    });

    it('leaves no deleted org with a live subscription when org.created with a plan races org.deleted', async () => {
      const orgs = await Promise.all(Array.from({ length: 8 }, () => sys.registerOrg()));
      const lateCreated = await Promise.all(
        orgs.map(async (org) => {
          const event = { ...(await storedEvent(OrgCreatedEvent, org.id)), id: newId('event') };
          return { ...event, data: { ...event.data, plan: { planId: 'pro', interval: 'month' } } };
        }),
      );
      await Promise.all(orgs.flatMap((org, i) => [deleteOrg(org.id), publish(lateCreated[i])]));
      for (const [i, org] of orgs.entries()) {
        const deleted = await storedEvent(OrgDeletedEvent, org.id);
        await eventually(async () => {
          expect(await processed('subscriptions-org-deleted', deleted.id)).toBe(1);
          expect(await processed('subscriptions-org-created', lateCreated[i].id)).toBe(1);
        });
        const res = await current(org.id);
        expect(res.status === 404 || res.body.status === 'cancelled').toBe(true);
      }
    });

    it('starts nothing for an org deleted before its org.created is handled', async () => {
      const org = await sys.registerOrg();
      await deleteOrg(org.id);
      const deleted = await storedEvent(OrgDeletedEvent, org.id);
      await eventually(async () => expect(await processed('subscriptions-org-deleted', deleted.id)).toBe(1));
      const late = { ...(await storedEvent(OrgCreatedEvent, org.id)), id: newId('event') };
      late.data = { ...late.data, plan: { planId: 'pro', interval: 'month' } };
      await publish(late);
      await eventually(async () => expect(await processed('subscriptions-org-created', late.id)).toBe(1));
      expect((await current(org.id)).status).toBe(404);
    });
  });
});

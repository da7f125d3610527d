import { newId, Organization, OrgStatusChangedEvent, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { ManualClock } from '@org-mgmt/runtime';
import { eventually, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { connect } from 'nats';
import { RenewalWorker } from '@org-mgmt/subscriptions';

const JAN_1 = Date.UTC(2026, 0, 1);
const FEB_1 = Date.UTC(2026, 1, 1);

describe('subscription lifecycle through the gateway', () => {
  const clock = new ManualClock(JAN_1);
  let sys: TestSystem;
  let root: string;

  beforeAll(async () => {
    sys = await startTestSystem({ clock, env: { SUBSCRIPTION_WORKER_INTERVAL_MS: '0' } });
    root = await sys.rootToken();
  });
  afterAll(() => sys?.close());

  async function orgWithAdmin(): Promise<{ org: Organization; admin: string; member: string }> {
    const org = await sys.registerOrg();
    return {
      org,
      admin: await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] }),
      member: await sys.token({ orgId: org.id }),
    };
  }

  async function changesOf(orgId: string) {
    const rows = await sys
      .db('subscriptions')('outbox')
      .where({ subject: SubscriptionChangedEvent.subject })
      .orderBy('seq');
    return rows.map((r) => r.envelope.data).filter((d) => d.orgId === orgId);
  }

  const worker = () => sys.provider('subscriptions', RenewalWorker);

  describe('GET /subscription/plans', () => {
    it('lists the five tiers with integer prices, limits and default flags, without a token', async () => {
      const res = await sys.api('GET', '/subscription/plans');
      expect(res.status).toBe(200);
      expect(res.body.plans.map((p: { id: string }) => p.id)).toEqual(['free', 'basic', 'pro', 'team', 'enterprise']);
      const pro = res.body.plans.find((p: { id: string }) => p.id === 'pro');
      expect(pro).toMatchObject({ currency: 'USD', prices: { month: 2900, year: 29000 }, limits: { seats: 10 } });
      for (const tier of ['pro', 'team', 'enterprise']) {
        expect(res.body.plans.find((p: { id: string }) => p.id === tier).features).toEqual(
          expect.arrayContaining(['automation', 'multi-site']),
        );
      }
      expect(res.body.plans.find((p: { id: string }) => p.id === 'basic').features).not.toContain('automation');
    });

    it('refuses an invalid token even on the public catalogue', async () => {
      const res = await sys.api('GET', '/subscription/plans', { token: 'not-a-jwt' });
      expect(res.status).toBe(401);
    });
  });

  describe('create and current', () => {
    it('starts a free plan at once, a month long, and emits subscription.changed', async () => {
      const { org, admin, member } = await orgWithAdmin();
      const res = await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'free' } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ amountCharged: 0, proration: null, payment: null });
      expect(res.body.subscription).toMatchObject({
        orgId: org.id,
        plan: 'free',
        interval: 'month',
        status: 'active',
        priceAmount: 0,
        currentPeriodStart: JAN_1,
        currentPeriodEnd: FEB_1,
        cancelAtPeriodEnd: false,
        scheduledChange: null,
        features: [],
      });
      const current = await sys.api('GET', '/subscription/current', { token: member });
      expect(current.body).toEqual(res.body.subscription);
      expect(await changesOf(org.id)).toEqual([
        expect.objectContaining({ change: 'created', plan: 'free', status: 'active', features: [] }),
      ]);
    });

    it('answers 404 for an org without a subscription', async () => {
      const { member } = await orgWithAdmin();
      const res = await sys.api('GET', '/subscription/current', { token: member });
      expect(res.status).toBe(404);
    });

    it('refuses a second live subscription with 409', async () => {
      const { admin } = await orgWithAdmin();
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'free' } });
      const res = await sys.api('POST', '/subscription/create', {
        token: admin,
        body: { plan: 'free', interval: 'year' },
      });
      expect(res.status).toBe(409);
    });

    it('lets only one of many parallel creates win', async () => {
      const { org, admin } = await orgWithAdmin();
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'free' } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(await sys.db('subscriptions')('subscriptions').where({ org_id: org.id })).toHaveLength(1);
    });

    it('asks for a payment when the plan is paid, with 400 naming body.payment', async () => {
      const { admin } = await orgWithAdmin();
      const res = await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'pro' } });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe('body.payment');
    });

    it.each([
      ['an unknown plan', { plan: 'platinum' }, 'body.plan'],
      ['an unknown interval', { plan: 'free', interval: 'week' }, 'body.interval'],
      ['an unknown field', { plan: 'free', coupon: 'X' }, 'body'],
      [
        'a card without a payment method',
        { plan: 'pro', payment: { method: 'card', gateway: 'stripe' } },
        'body.payment.paymentMethodId',
      ],
      ['no body', undefined, 'body'],
    ])('refuses %s with 400 and creates nothing', async (_case, body, path) => {
      const { org, admin } = await orgWithAdmin();
      const res = await sys.api('POST', '/subscription/create', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect(await sys.db('subscriptions')('subscriptions').where({ org_id: org.id })).toHaveLength(0);
    });
  });

  describe('downgrade and cancel take effect at the period end', () => {
    async function onPro() {
      const ctx = await orgWithAdmin();
      const res = await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: ctx.org.id,
        body: { plan: 'pro', priceAmount: 0, reason: 'comp for the test' },
      });
      expect(res.status).toBe(200);
      return ctx;
    }

    it('schedules a downgrade, keeps the plan until the period end, then the worker applies it', async () => {
      clock.set(JAN_1);
      const { org, admin } = await onPro();
      const res = await sys.api('POST', '/subscription/downgrade', { token: admin, body: { plan: 'free' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        plan: 'pro',
        scheduledChange: { plan: 'free', interval: 'month', effectiveAt: FEB_1 },
      });
      clock.set(FEB_1 - 1000);
      await worker().runOnce();
      expect((await sys.api('GET', '/subscription/current', { token: admin })).body.plan).toBe('pro');
      clock.set(FEB_1);
      await worker().runOnce();
      const after = (await sys.api('GET', '/subscription/current', { token: admin })).body;
      expect(after).toMatchObject({
        plan: 'free',
        priceAmount: 0,
        scheduledChange: null,
        currentPeriodStart: FEB_1,
        features: [],
      });
      expect((await changesOf(org.id)).map((c) => c.change)).toEqual([
        'created',
        'admin_updated',
        'downgrade_scheduled',
        'downgraded',
      ]);
    });

    it('refuses a downgrade that is an upgrade, and the current plan, with 409', async () => {
      const { admin } = await onPro();
      expect((await sys.api('POST', '/subscription/downgrade', { token: admin, body: { plan: 'team' } })).status).toBe(
        409,
      );
      expect((await sys.api('POST', '/subscription/downgrade', { token: admin, body: { plan: 'pro' } })).status).toBe(
        409,
      );
    });

    it('cancels at the period end by default: still active until then, cancelled after', async () => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithAdmin();
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'free' } });
      const res = await sys.api('POST', '/subscription/cancel', { token: admin, body: { reason: 'too expensive' } });
      expect(res.body).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
      expect((await sys.api('POST', '/subscription/cancel', { token: admin, body: {} })).status).toBe(200);
      clock.set(FEB_1);
      await worker().runOnce();
      const after = (await sys.api('GET', '/subscription/current', { token: admin })).body;
      expect(after).toMatchObject({ status: 'cancelled', cancelledAt: FEB_1, features: [] });
      expect((await changesOf(org.id)).map((c) => c.change)).toEqual(['created', 'cancel_scheduled', 'cancelled']);
    });

    it('cancels immediately on request', async () => {
      clock.set(JAN_1 + 5000);
      const { admin } = await onPro();
      const res = await sys.api('POST', '/subscription/cancel', { token: admin, body: { immediate: true } });
      expect(res.body).toMatchObject({ status: 'cancelled', cancelledAt: JAN_1 + 5000, features: [] });
      expect((await sys.api('POST', '/subscription/cancel', { token: admin, body: {} })).status).toBe(404);
      expect((await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'free' } })).status).toBe(
        201,
      );
    });

    it('renews a free plan into the next period', async () => {
      clock.set(JAN_1);
      const { admin } = await orgWithAdmin();
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'free' } });
      clock.set(FEB_1 + 10);
      await worker().runOnce();
      expect((await sys.api('GET', '/subscription/current', { token: admin })).body).toMatchObject({
        status: 'active',
        currentPeriodStart: FEB_1,
        currentPeriodEnd: Date.UTC(2026, 2, 1),
      });
    });
  });

  describe('POST /subscription/admin/update', () => {
    it('overrides plan, price and period with a reason, audited with who and why', async () => {
      clock.set(JAN_1);
      const { org } = await orgWithAdmin();
      const res = await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: {
          plan: 'team',
          interval: 'year',
          priceAmount: 50_000,
          currentPeriodEnd: Date.UTC(2026, 5, 1),
          reason: 'negotiated deal',
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        plan: 'team',
        interval: 'year',
        priceAmount: 50_000,
        currentPeriodEnd: Date.UTC(2026, 5, 1),
      });
      const audit = await sys
        .db('subscriptions')('subscription_changes')
        .where({ org_id: org.id, change: 'admin_updated' });
      expect(audit).toEqual([
        expect.objectContaining({ changed_by: 'root-operator', reason: 'negotiated deal', to_plan: 'team' }),
      ]);
    });

    it('carries flag overrides to orgs on subscription.changed', async () => {
      const { org } = await orgWithAdmin();
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'basic', reason: 'start' },
      });
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { features: { beta: true, 'custom-domain': false }, reason: 'pilot' },
      });
      const last = (await changesOf(org.id)).pop();
      expect(last).toMatchObject({ change: 'admin_updated', featureOverrides: { beta: true, 'custom-domain': false } });
    });

    it.each([
      ['no reason', { plan: 'pro' }, 'body.reason'],
      ['only a reason', { reason: 'nothing to do' }, 'body'],
      ['a negative price', { priceAmount: -1, reason: 'oops' }, 'body.priceAmount'],
      ['a fractional price', { priceAmount: 9.99, reason: 'oops' }, 'body.priceAmount'],
      ['a bad flag name', { features: { 'Bad Flag': true }, reason: 'oops' }, 'body.features.Bad Flag'],
      ['an unknown status', { status: 'paused', reason: 'oops' }, 'body.status'],
    ])('refuses %s with 400', async (_case, body, path) => {
      const { org } = await orgWithAdmin();
      const res = await sys.api('POST', '/subscription/admin/update', { token: root, orgid: org.id, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    });

    it('refuses a period end before the period start with 400, changing nothing', async () => {
      const { org } = await orgWithAdmin();
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'pro', reason: 'start' },
      });
      const before = (await sys.api('GET', '/subscription/current', { token: root, orgid: org.id })).body;
      const res = await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { currentPeriodEnd: 1, reason: 'oops' },
      });
      expect(res.status).toBe(400);
      expect((await sys.api('GET', '/subscription/current', { token: root, orgid: org.id })).body).toEqual(before);
    });

    it('answers 404 when there is no subscription and no plan to start', async () => {
      const { org } = await orgWithAdmin();
      const res = await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { features: { beta: true }, reason: 'x y z' },
      });
      expect(res.status).toBe(404);
    });
  });

  describe('account cancellation (org.status_changed)', () => {
    async function publishStatusChange(orgId: string, cause: string) {
      const nc = await connect({ servers: sys.env.NATS_URL });
      const event = {
        id: newId('event'),
        type: OrgStatusChangedEvent.subject,
        version: 1,
        occurredAt: Date.now(),
        orgId,
        data: {
          orgId,
          status: 'INACTIVE',
          previousStatus: 'ACTIVE',
          suspensionType: null,
          cause,
          reason: 'customer left',
          changedBy: 'user-42',
          changedAt: JAN_1,
        },
      };
      await nc
        .jetstream()
        .publish(`${sys.env.NATS_SUBJECT_PREFIX}${OrgStatusChangedEvent.subject}`, JSON.stringify(event), {
          msgID: event.id,
        });
      await nc.close();
    }

    it('cancels the subscription when the org admin cancels the account (POST /account/cancel)', async () => {
      const { org, admin } = await orgWithAdmin();
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'team', reason: 'start' },
      });
      const res = await sys.api('POST', '/account/cancel', { token: admin, body: { reason: 'moving on' } });
      expect(res.status).toBe(200);
      await eventually(async () => {
        const current = await sys.api('GET', '/subscription/current', { token: root, orgid: org.id });
        expect(current.body).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(Number) });
      });
      await eventually(async () => {
        const company = (await sys.api('GET', `/profile/${org.id}`, { token: root })).body.company;
        expect(company.features).toEqual([]);
      });
    });

    it('cancels the subscription at once when the account is cancelled, and ignores other causes', async () => {
      const { org, admin } = await orgWithAdmin();
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'pro', reason: 'start' },
      });
      await publishStatusChange(org.id, 'suspended');
      await publishStatusChange(org.id, 'account_cancelled');
      await eventually(async () => {
        expect((await sys.api('GET', '/subscription/current', { token: admin })).body).toMatchObject({
          status: 'cancelled',
          features: [],
        });
      });
      const changes = await changesOf(org.id);
      expect(changes.map((c) => c.change)).toEqual(['created', 'admin_updated', 'cancelled']);
      expect(changes[2]).toMatchObject({ changedBy: 'user-42', status: 'cancelled' });
    });
  });
});

import { Organization, SubscriptionChangedEvent, SubscriptionPaymentFailedEvent } from '@org-mgmt/contracts';
import { Bus, createLogger, ManualClock, natsBus, RunningService, startService } from '@org-mgmt/runtime';
import { RenewalWorker, subscriptionsService } from '@org-mgmt/subscriptions';
import { eventually, startTestSystem, TestSystem } from '@org-mgmt/testing';

const JAN_1 = Date.UTC(2026, 0, 1);
const FEB_1 = Date.UTC(2026, 1, 1);
const MAR_1 = Date.UTC(2026, 2, 1);

/** The period-end worker: renewals charged from credits, failures, recovery, and two replicas racing. */
describe('renewal and transition worker', () => {
  const clock = new ManualClock(JAN_1);
  let sys: TestSystem;
  let root: string;
  let replica: RunningService;
  let replicaBus: Bus;

  beforeAll(async () => {
    sys = await startTestSystem({ clock, env: { SUBSCRIPTION_WORKER_INTERVAL_MS: '0' } });
    root = await sys.rootToken();
    // a second subscriptions replica: its own pool, bus connection and worker, the same database and clock
    const logger = createLogger('error', 'replica');
    replicaBus = await natsBus(sys.config, sys.env.NATS_URL, logger);
    replica = await startService(subscriptionsService, {
      config: sys.config,
      databaseUrl: sys.env.DATABASE_URL,
      bus: replicaBus,
      logger,
      clock,
    });
  });
  afterAll(async () => {
    await replica?.close();
    await replicaBus?.close();
    await sys?.close();
  });

  const worker = () => sys.provider('subscriptions', RenewalWorker);

  async function subscribed(plan: string, credits: number): Promise<{ org: Organization; admin: string }> {
    const org = await sys.registerOrg();
    await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount: credits, currency: 'USD', reason: 'test credits' },
    });
    const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    const res = await sys.api('POST', '/subscription/create', {
      token: admin,
      body: { plan, payment: { method: 'credits' } },
    });
    expect(res.status).toBe(201);
    return { org, admin };
  }

  async function balanceOf(orgId: string): Promise<number> {
    return (await sys.api('GET', '/billing/balance', { token: root, orgid: orgId })).body.balance;
  }

  async function current(admin: string) {
    return (await sys.api('GET', '/subscription/current', { token: admin })).body;
  }

  async function eventsOf(orgId: string, subject: string) {
    const rows = await sys.db('subscriptions')('outbox').where({ subject }).orderBy('seq');
    return rows.map((r) => r.envelope.data).filter((d) => d.orgId === orgId);
  }

  it('renews at the period end and charges the next period from credits', async () => {
    clock.set(JAN_1);
    const { org, admin } = await subscribed('basic', 2000);
    clock.set(FEB_1 - 1000);
    await worker().runOnce();
    expect(await balanceOf(org.id)).toBe(1100);
    clock.set(FEB_1);
    await worker().runOnce();
    expect(await current(admin)).toMatchObject({
      status: 'active',
      currentPeriodStart: FEB_1,
      currentPeriodEnd: MAR_1,
    });
    expect(await balanceOf(org.id)).toBe(200);
    expect((await eventsOf(org.id, SubscriptionChangedEvent.subject)).map((e) => e.change)).toEqual([
      'created',
      'renewed',
    ]);
  });

  it('applies a scheduled downgrade at the period end and charges the lower price', async () => {
    clock.set(JAN_1);
    const { org, admin } = await subscribed('pro', 5000);
    await sys.api('POST', '/subscription/downgrade', { token: admin, body: { plan: 'basic' } });
    clock.set(FEB_1);
    await worker().runOnce();
    expect(await current(admin)).toMatchObject({
      plan: 'basic',
      priceAmount: 900,
      scheduledChange: null,
      currentPeriodStart: FEB_1,
    });
    expect(await balanceOf(org.id)).toBe(5000 - 2900 - 900);
  });

  it('marks a renewal the balance cannot cover past_due, emits subscription.payment_failed once, and recovers after a top-up', async () => {
    clock.set(JAN_1);
    const { org, admin } = await subscribed('pro', 3000);
    clock.set(FEB_1 + 5000);
    await worker().runOnce();
    await worker().runOnce();
    expect(await current(admin)).toMatchObject({ status: 'past_due', currentPeriodEnd: FEB_1 });
    const failures = await eventsOf(org.id, SubscriptionPaymentFailedEvent.subject);
    expect(failures).toEqual([
      expect.objectContaining({ plan: 'pro', amount: 2900, currency: 'USD', attemptedAt: FEB_1 + 5000 }),
    ]);
    expect(await balanceOf(org.id)).toBe(100);

    const statusOf = async () => (await sys.api('GET', `/profile/${org.id}`, { token: root })).body.company;
    await eventually(async () => expect(await statusOf()).toMatchObject({ serviceStatus: 'SUSPENDED' }));
    expect((await statusOf()).serviceStatusHistory.at(-1)).toMatchObject({
      status: 'SUSPENDED',
      suspensionType: 'PAYMENT_FAILED',
    });

    // the top-up (billing.balance_changed) retries the unpaid renewal at once, without waiting for a pass
    await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount: 5000, currency: 'USD', reason: 'top up' },
    });
    await eventually(async () =>
      expect(await current(admin)).toMatchObject({
        status: 'active',
        currentPeriodStart: FEB_1,
        currentPeriodEnd: MAR_1,
      }),
    );
    expect(await balanceOf(org.id)).toBe(5100 - 2900);
    await worker().runOnce();
    expect(await balanceOf(org.id)).toBe(5100 - 2900);
    await eventually(async () => expect(await statusOf()).toMatchObject({ serviceStatus: 'ACTIVE' }));
  });

  it('lifts the suspension a declined renewal caused when the renewal is paid, with policy.suspendOnQuotaExceeded on', async () => {
    clock.set(JAN_1);
    const { org, admin } = await subscribed('pro', 3000);
    await sys.api('POST', '/profile/update', {
      token: root,
      orgid: org.id,
      body: { policy: { suspendOnQuotaExceeded: true } },
    });
    clock.set(FEB_1 + 5000);
    await worker().runOnce();
    const company = async () => (await sys.api('GET', `/profile/${org.id}`, { token: root })).body.company;
    await eventually(async () => expect(await company()).toMatchObject({ serviceStatus: 'SUSPENDED' }));
    // billing.debit_declined of the renewal and subscription.payment_failed both arrived: one suspension, PAYMENT_FAILED
    await eventually(async () => {
      const declined = await sys
        .db('orgs')('processed_events')
        .where({ consumer: 'orgs_status_debit_declined' })
        .count();
      expect(Number(declined[0].count)).toBeGreaterThan(0);
    });
    expect((await company()).serviceStatusHistory.filter((r: { status: string }) => r.status === 'SUSPENDED')).toEqual([
      expect.objectContaining({ suspensionType: 'PAYMENT_FAILED' }),
    ]);
    await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount: 5000, currency: 'USD', reason: 'top up' },
    });
    await eventually(async () =>
      expect(await current(admin)).toMatchObject({ status: 'active', currentPeriodStart: FEB_1 }),
    );
    await eventually(async () => expect(await company()).toMatchObject({ serviceStatus: 'ACTIVE' }));
  });

  it('does not lift an operator suspension when a renewal is paid', async () => {
    clock.set(JAN_1);
    const { org, admin } = await subscribed('pro', 3000);
    clock.set(FEB_1 + 5000);
    await worker().runOnce();
    const company = async () => (await sys.api('GET', `/profile/${org.id}`, { token: root })).body.company;
    await eventually(async () => expect(await company()).toMatchObject({ serviceStatus: 'SUSPENDED' }));
    await sys.api('POST', '/service-status/lift', { token: root, orgid: org.id, body: { reason: 'operator lifts' } });
    await sys.api('POST', '/service-status/suspend', {
      token: root,
      orgid: org.id,
      body: { suspensionType: 'MANUAL', reason: 'Abuse report' },
    });
    await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount: 5000, currency: 'USD', reason: 'top up' },
    });
    await eventually(async () =>
      expect(await current(admin)).toMatchObject({ status: 'active', currentPeriodStart: FEB_1 }),
    );
    expect(await company()).toMatchObject({
      serviceStatus: 'SUSPENDED',
      serviceStatusHistory: expect.arrayContaining([
        expect.objectContaining({ suspensionType: 'MANUAL', isCurrent: true }),
      ]),
    });
  });

  it('ends a past-due subscription the org cancels, without charging the unpaid period', async () => {
    clock.set(JAN_1);
    const { org, admin } = await subscribed('pro', 3000);
    clock.set(FEB_1);
    await worker().runOnce();
    expect(await current(admin)).toMatchObject({ status: 'past_due' });
    // the org is suspended (PAYMENT_FAILED) by now; an operator cancels for it
    const cancel = await sys.api('POST', '/subscription/cancel', { token: root, orgid: org.id, body: {} });
    expect(cancel.body).toMatchObject({ status: 'past_due', cancelAtPeriodEnd: true });
    await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount: 5000, currency: 'USD', reason: 'top up' },
    });
    await worker().runOnce();
    expect((await sys.api('GET', '/subscription/current', { token: root, orgid: org.id })).body).toMatchObject({
      status: 'cancelled',
      cancelledAt: FEB_1,
    });
    expect(await balanceOf(org.id)).toBe(5100);
  });

  it('renews each due subscription exactly once when two replicas run their workers at the same time', async () => {
    clock.set(JAN_1);
    const orgs = await Promise.all(Array.from({ length: 8 }, () => subscribed('basic', 5000)));
    clock.set(FEB_1 + 1000);
    const reports = await Promise.all([
      worker().runOnce(),
      replica.app.get(RenewalWorker).runOnce(),
      worker().runOnce(),
    ]);
    expect(reports.reduce((n, r) => n + r.transitioned, 0)).toBeGreaterThanOrEqual(orgs.length);
    for (const { org, admin } of orgs) {
      expect(await current(admin)).toMatchObject({ currentPeriodStart: FEB_1, currentPeriodEnd: MAR_1 });
      expect(await balanceOf(org.id)).toBe(5000 - 900 - 900);
      expect((await eventsOf(org.id, SubscriptionChangedEvent.subject)).map((e) => e.change)).toEqual([
        'created',
        'renewed',
      ]);
    }
  });

  it('catches up on restart: a subscription two periods behind is renewed twice, each period charged once', async () => {
    clock.set(JAN_1);
    const { org, admin } = await subscribed('basic', 5000);
    clock.set(MAR_1 + 1000);
    await Promise.all([worker().runOnce(), replica.app.get(RenewalWorker).runOnce()]);
    expect(await current(admin)).toMatchObject({ currentPeriodStart: MAR_1, currentPeriodEnd: Date.UTC(2026, 3, 1) });
    expect(await balanceOf(org.id)).toBe(5000 - 3 * 900);
  });
});

import { Organization, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { ManualClock } from '@org-mgmt/runtime';
import { eventually, startTestSystem, StripeFake, TestSystem } from '@org-mgmt/testing';

const JAN_1 = Date.UTC(2026, 0, 1);
const MID_JAN = Date.UTC(2026, 0, 11, 8, 20); // 1,784,400 s of January's 2,678,400 s left

/** Paid changes: from the credit balance (billing.credits.debit) and by card through the Stripe fake. */
describe('paying for subscriptions', () => {
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

  async function orgWithCredits(credits: number): Promise<{ org: Organization; admin: string }> {
    const org = await sys.registerOrg();
    if (credits > 0) {
      const res = await sys.api('POST', '/billing/gift-credits', {
        token: root,
        body: { orgId: org.id, amount: credits, currency: 'USD', reason: 'test credits' },
      });
      expect(res.status).toBeLessThan(300);
    }
    return { org, admin: await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] }) };
  }

  async function balanceOf(orgId: string): Promise<number> {
    return (await sys.api('GET', '/billing/balance', { token: root, orgid: orgId })).body.balance;
  }

  async function debitsOf(orgId: string) {
    return sys.db('billing')('transactions').where({ org_id: orgId, type: 'debit', status: 'succeeded' });
  }

  async function changesOf(orgId: string): Promise<string[]> {
    const rows = await sys
      .db('subscriptions')('outbox')
      .where({ subject: SubscriptionChangedEvent.subject })
      .orderBy('seq');
    return rows
      .map((r) => r.envelope.data)
      .filter((d) => d.orgId === orgId)
      .map((d) => d.change);
  }

  const credits = { method: 'credits' };

  describe('from the credit balance', () => {
    it('charges the first period on create, then exactly the prorated difference on a mid-period upgrade', async () => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(5000);
      const created = await sys.api('POST', '/subscription/create', {
        token: admin,
        body: { plan: 'basic', payment: credits },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        amountCharged: 900,
        subscription: { plan: 'basic', status: 'active', priceAmount: 900 },
      });
      expect(await balanceOf(org.id)).toBe(4100);

      clock.set(MID_JAN);
      const res = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'pro', payment: credits },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        amountCharged: 1332,
        proration: {
          unusedSeconds: 1_784_400,
          periodSeconds: 2_678_400,
          credit: 600,
          charge: 1932,
          amountDue: 1332,
          currency: 'USD',
        },
        subscription: {
          plan: 'pro',
          priceAmount: 2900,
          currentPeriodStart: JAN_1,
          currentPeriodEnd: Date.UTC(2026, 1, 1),
        },
      });
      expect(res.body.subscription.features).toEqual(expect.arrayContaining(['automation', 'multi-site']));
      expect(await balanceOf(org.id)).toBe(4100 - 1332);
      expect(await changesOf(org.id)).toEqual(['created', 'upgraded']);
      await eventually(async () => {
        const company = (await sys.api('GET', '/profile', { token: admin })).body.company;
        expect(company.features).toEqual(expect.arrayContaining(['automation', 'multi-site']));
      });
    });

    it('starts a new yearly period on monthly → yearly, crediting the unused month', async () => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(40_000);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'basic', payment: credits } });
      clock.set(MID_JAN);
      const res = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'pro', interval: 'year', payment: credits },
      });
      expect(res.body).toMatchObject({
        amountCharged: 28_400,
        proration: { credit: 600, charge: 29_000, amountDue: 28_400 },
        subscription: {
          plan: 'pro',
          interval: 'year',
          priceAmount: 29_000,
          currentPeriodStart: MID_JAN,
          currentPeriodEnd: Date.UTC(2027, 0, 11, 8, 20),
        },
      });
      expect(await balanceOf(org.id)).toBe(40_000 - 900 - 28_400);
    });

    it('bills the same plan yearly as an upgrade (9000 − 599.597… → 8400), and yearly → monthly as a scheduled downgrade', async () => {
      clock.set(JAN_1);
      const { admin } = await orgWithCredits(20_000);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'basic', payment: credits } });
      clock.set(MID_JAN);
      const up = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'basic', interval: 'year', payment: credits },
      });
      expect(up.body).toMatchObject({
        amountCharged: 8400,
        subscription: { plan: 'basic', interval: 'year', currentPeriodStart: MID_JAN },
      });
      const down = await sys.api('POST', '/subscription/downgrade', {
        token: admin,
        body: { plan: 'basic', interval: 'month' },
      });
      expect(down.body).toMatchObject({
        interval: 'year',
        scheduledChange: { plan: 'basic', interval: 'month', effectiveAt: Date.UTC(2027, 0, 11, 8, 20) },
      });
      const mixed = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'pro', interval: 'month', payment: credits },
      });
      expect(mixed.status).toBe(409);
    });

    it('upgrades on the last second without charging (the difference rounds to 0)', async () => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(900);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'basic', payment: credits } });
      clock.set(Date.UTC(2026, 1, 1) - 1000);
      const res = await sys.api('POST', '/subscription/upgrade', { token: admin, body: { plan: 'pro' } });
      expect(res.body).toMatchObject({
        amountCharged: 0,
        proration: { unusedSeconds: 1, amountDue: 0 },
        subscription: { plan: 'pro' },
      });
      expect(await debitsOf(org.id)).toHaveLength(1);
    });

    it('charges once when the same upgrade is submitted ten times at once', async () => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(10_000);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'basic', payment: credits } });
      clock.set(MID_JAN);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          sys.api('POST', '/subscription/upgrade', { token: admin, body: { plan: 'pro', payment: credits } }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status !== 200).map((r) => r.body.error.code)).toEqual(Array(9).fill('CONFLICT'));
      expect(await balanceOf(org.id)).toBe(10_000 - 900 - 1332);
      expect(await debitsOf(org.id)).toHaveLength(2);
      expect(await changesOf(org.id)).toEqual(['created', 'upgraded']);
    });

    it('replays the first answer for a repeated Idempotency-Key, in parallel too, and charges once', async () => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(10_000);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'basic', payment: credits } });
      clock.set(MID_JAN);
      const send = () =>
        sys.api('POST', '/subscription/upgrade', {
          token: admin,
          headers: { 'idempotency-key': 'upgrade-1' },
          body: { plan: 'pro', payment: credits },
        });
      const first = await send();
      // Twice the service's pool (DATABASE_POOL_MAX 4): each replay waits on the subscription's row lock holding a connection.
      const again = await Promise.all(Array.from({ length: 8 }, send));
      for (const res of again)
        expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: first.body });
      expect(await balanceOf(org.id)).toBe(10_000 - 900 - 1332);
      const other = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        headers: { 'idempotency-key': 'upgrade-1' },
        body: { plan: 'team', payment: credits },
      });
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('replays create and upgrade byte for byte, key order included, with Idempotent-Replayed: true', async () => {
      const { org, admin } = await orgWithCredits(10_000);
      const create = () =>
        sys.api('POST', '/subscription/create', {
          token: admin,
          headers: { 'idempotency-key': 'create-bytes' },
          body: { plan: 'basic', payment: credits },
        });
      const upgrade = () =>
        sys.api('POST', '/subscription/upgrade', {
          token: admin,
          headers: { 'idempotency-key': 'upgrade-bytes' },
          body: { plan: 'pro', payment: credits },
        });
      for (const [at, send, status] of [
        [JAN_1, create, 201],
        [MID_JAN, upgrade, 200],
      ] as const) {
        clock.set(at);
        const first = await send();
        expect(first.status).toBe(status);
        expect(first.headers.get('idempotent-replayed')).toBeNull();
        for (let i = 0; i < 2; i++) {
          const replay = await send();
          expect(replay.status).toBe(status);
          expect(replay.headers.get('idempotent-replayed')).toBe('true');
          expect(replay.headers.get('content-type')).toMatch(/^application\/json/);
          expect(replay.text).toBe(first.text);
        }
      }
      expect(await balanceOf(org.id)).toBe(10_000 - 900 - 1332);
      expect(await debitsOf(org.id)).toHaveLength(2);
    });

    it('refuses with 409 INSUFFICIENT_BALANCE when the balance does not cover it, changing nothing', async () => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(1000);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'basic', payment: credits } });
      const res = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'team', payment: credits },
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('INSUFFICIENT_BALANCE');
      expect((await sys.api('GET', '/subscription/current', { token: admin })).body.plan).toBe('basic');
      expect(await balanceOf(org.id)).toBe(100);
      // the failed payment no longer blocks: a covered upgrade goes through
      await sys.api('POST', '/billing/gift-credits', {
        token: root,
        body: { orgId: org.id, amount: 10_000, currency: 'USD', reason: 'top up' },
      });
      expect(
        (await sys.api('POST', '/subscription/upgrade', { token: admin, body: { plan: 'team', payment: credits } }))
          .status,
      ).toBe(200);
    });

    it('refuses an upgrade that is not one with 409, and the card gateway this deployment does not use with 400', async () => {
      clock.set(JAN_1);
      const { admin } = await orgWithCredits(5000);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'pro', payment: credits } });
      expect(
        (await sys.api('POST', '/subscription/upgrade', { token: admin, body: { plan: 'basic', payment: credits } }))
          .status,
      ).toBe(409);
      expect(
        (await sys.api('POST', '/subscription/upgrade', { token: admin, body: { plan: 'team', interval: 'month' } }))
          .status,
      ).toBe(400);
      const sandbox = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'team', payment: { method: 'card', gateway: 'sandbox', paymentMethodId: 'pm_card_visa' } },
      });
      expect(sandbox.status).toBe(400);
      expect(sandbox.body.error.details.fields[0].path).toBe('body.payment.gateway');
    });
  });

  describe('by card (Stripe PaymentIntents, verified server-side)', () => {
    const card = { method: 'card', gateway: 'stripe', paymentMethodId: 'pm_card_visa' };

    async function startCardCreate(plan = 'pro') {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(0);
      const res = await sys.api('POST', '/subscription/create', { token: admin, body: { plan, payment: card } });
      expect(res.status).toBe(201);
      return { org, admin, payment: res.body.payment, body: res.body };
    }

    const complete = (payment: { paymentId: string; paymentIntentId: string }) =>
      sys.api('POST', '/subscription/complete-payment', {
        body: { paymentId: payment.paymentId, paymentIntentId: payment.paymentIntentId, gateway: 'stripe' },
      });

    it('returns the intent to confirm, then applies the plan once however many completions race', async () => {
      const { org, admin, payment, body } = await startCardCreate();
      expect(body).toMatchObject({ subscription: null, amountCharged: 0 });
      expect(payment).toMatchObject({
        paymentId: expect.stringMatching(/^spay_/),
        amount: 2900,
        currency: 'USD',
        gateway: 'stripe',
        paymentIntentClientSecret: expect.stringContaining('_secret_'),
      });
      expect(fake.intents.get(payment.paymentIntentId)).toMatchObject({
        amount: 2900,
        metadata: { subscriptionPaymentId: payment.paymentId, purpose: 'subscription' },
      });

      const early = await complete(payment);
      expect(early.body).toMatchObject({ status: 'pending', applied: false, subscription: null });

      fake.settle(payment.paymentIntentId, { status: 'succeeded' });
      const results = await Promise.all(Array.from({ length: 10 }, () => complete(payment)));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(results.filter((r) => r.body.applied)).toHaveLength(1);
      for (const r of results)
        expect(r.body).toMatchObject({ status: 'succeeded', subscription: { plan: 'pro', status: 'active' } });
      const checkout = await sys.api('POST', '/subscription/complete-checkout', {
        body: { paymentId: payment.paymentId, checkoutSessionId: payment.paymentIntentId, gateway: 'stripe' },
      });
      expect(checkout.body).toMatchObject({ status: 'succeeded', applied: false });
      expect(await changesOf(org.id)).toEqual(['created']);
      expect((await sys.api('GET', '/subscription/current', { token: admin })).body.plan).toBe('pro');
    });

    it('settles from the Stripe webhook too, once, when it races complete-payment', async () => {
      const { org, admin, payment } = await startCardCreate('team');
      fake.settle(payment.paymentIntentId, { status: 'succeeded' });
      const { payload, signature } = fake.signedEvent('payment_intent.succeeded', payment.paymentIntentId);
      const webhook = () =>
        sys.api('POST', '/billing/webhooks/stripe', { rawBody: payload, headers: { 'stripe-signature': signature } });
      const results = await Promise.all([webhook(), complete(payment), webhook(), complete(payment)]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const applied = [
        results[0].body.handled,
        results[1].body.applied,
        results[2].body.handled,
        results[3].body.applied,
      ];
      expect(applied.filter(Boolean)).toHaveLength(1);
      expect((await sys.api('GET', '/subscription/current', { token: admin })).body).toMatchObject({
        plan: 'team',
        status: 'active',
      });
      expect(await changesOf(org.id)).toEqual(['created']);
    });

    it('upgrades by card with the prorated amount', async () => {
      clock.set(JAN_1);
      const { admin } = await orgWithCredits(900);
      await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'basic', payment: credits } });
      clock.set(MID_JAN);
      const res = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'pro', payment: card },
      });
      expect(res.body).toMatchObject({ payment: { amount: 1332 }, subscription: { plan: 'basic' } });
      fake.settle(res.body.payment.paymentIntentId, { status: 'succeeded' });
      const done = await complete(res.body.payment);
      expect(done.body).toMatchObject({ applied: true, subscription: { plan: 'pro', currentPeriodStart: JAN_1 } });
    });

    it('fails a declined payment with 402, creates nothing, and lets the org try again', async () => {
      const { admin, payment } = await startCardCreate();
      fake.settle(payment.paymentIntentId, { status: 'declined' });
      const res = await complete(payment);
      expect(res.status).toBe(402);
      expect(res.body.error.code).toBe('PAYMENT_FAILED');
      expect(fake.intents.get(payment.paymentIntentId)?.status).toBe('canceled');
      expect((await complete(payment)).status).toBe(402);
      expect((await sys.api('GET', '/subscription/current', { token: admin })).status).toBe(404);
      expect(
        (await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'pro', payment: card } })).status,
      ).toBe(201);
    });

    it('does not apply a payment that received less than was due', async () => {
      const { admin, payment } = await startCardCreate();
      fake.settle(payment.paymentIntentId, { status: 'succeeded', amountReceived: 100 });
      expect((await complete(payment)).status).toBe(402);
      expect((await sys.api('GET', '/subscription/current', { token: admin })).status).toBe(404);
    });

    it('refuses a payment id with another intent with 404, and malformed bodies with 400', async () => {
      const { payment } = await startCardCreate();
      const other = await sys.api('POST', '/subscription/complete-payment', {
        body: { paymentId: payment.paymentId, paymentIntentId: 'pi_someone_else', gateway: 'stripe' },
      });
      expect(other.status).toBe(404);
      for (const body of [
        {},
        { paymentId: 'txn_1', paymentIntentId: 'pi_1', gateway: 'stripe' },
        { paymentId: payment.paymentId, paymentIntentId: 'pi_1', gateway: 'paypal' },
      ]) {
        const res = await sys.api('POST', '/subscription/complete-payment', { body });
        expect(res.status).toBe(400);
      }
      expect(
        (await sys.api('POST', '/subscription/complete-checkout', { body: { paymentId: payment.paymentId } })).status,
      ).toBe(400);
    });
  });

  describe('every move from every plan', () => {
    const PRICES: Record<string, number> = { free: 0, basic: 900, pro: 2900, team: 9900, enterprise: 49_900 };
    const ORDER = Object.keys(PRICES);
    const moves = ORDER.flatMap((from) =>
      ORDER.filter((to) => to !== from).map((to) => ({ from, to, up: ORDER.indexOf(to) > ORDER.indexOf(from) })),
    );

    it.each(moves)('$from → $to (monthly, first second of the period)', async ({ from, to, up }) => {
      clock.set(JAN_1);
      const { org, admin } = await orgWithCredits(100_000);
      await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: from, reason: 'starting point' },
      });
      if (up) {
        const res = await sys.api('POST', '/subscription/upgrade', {
          token: admin,
          body: { plan: to, payment: credits },
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          amountCharged: PRICES[to] - PRICES[from],
          subscription: { plan: to, priceAmount: PRICES[to] },
        });
        expect((await sys.api('POST', '/subscription/downgrade', { token: admin, body: { plan: to } })).status).toBe(
          409,
        );
      } else {
        const res = await sys.api('POST', '/subscription/downgrade', { token: admin, body: { plan: to } });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          plan: from,
          scheduledChange: { plan: to, effectiveAt: Date.UTC(2026, 1, 1) },
        });
        expect(
          (await sys.api('POST', '/subscription/upgrade', { token: admin, body: { plan: to, payment: credits } }))
            .status,
        ).toBe(409);
      }
      expect(await balanceOf(org.id)).toBe(100_000 - (up ? PRICES[to] - PRICES[from] : 0));
    });
  });
});

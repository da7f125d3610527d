import { Organization } from '@org-mgmt/contracts';
import { ManualClock } from '@org-mgmt/runtime';
import { StripeFake, startTestSystem, TestSystem } from '@org-mgmt/testing';

const AI = 'premium-ai-models';
const DAY = 86_400_000;

interface Buyer {
  org: Organization;
  admin: string;
  member: string;
}

function helpers(sys: () => TestSystem) {
  return {
    async buyer(): Promise<Buyer> {
      const org = await sys().registerOrg();
      return {
        org,
        admin: await sys().token({ orgId: org.id, roles: ['ConfigAdmin'], sub: 'user_admin' }),
        member: await sys().token({ orgId: org.id }),
      };
    },
    accept: (token: string, serviceName = AI, termsVersion = '2025-11') =>
      sys().api('POST', `/services/agreement/accept/${serviceName}`, { token, body: { termsVersion } }),
    revoke: (token: string, serviceName = AI) =>
      sys().api('POST', `/services/agreement/revoke/${serviceName}`, { token }),
    purchase: (token: string, body: Record<string, unknown>) =>
      sys().api('POST', '/services/purchase', { token, body }),
    complete: (token: string, purchaseId: string) =>
      sys().api('POST', '/services/complete-payment', { token, body: { purchaseId } }),
    purchased: (token: string, query = '') => sys().api('GET', `/services/purchased${query}`, { token }),
    async outboxOf(orgId: string, subject: string) {
      return sys()
        .db('billing')('outbox')
        .where({ subject })
        .whereRaw("envelope->>'orgId' = ?", [orgId])
        .orderBy('seq');
    },
  };
}

describe('add-on purchases through the gateway (sandbox payments)', () => {
  let sys: TestSystem;
  const clock = new ManualClock(Date.UTC(2026, 0, 31, 12));
  const h = helpers(() => sys);
  const card = (serviceName: string, paymentMethodId = 'pm_card_visa') => ({
    serviceName,
    paymentSource: 'gateway',
    paymentMethodId,
  });

  beforeAll(async () => {
    sys = await startTestSystem({ clock });
  });
  afterAll(() => sys?.close());

  it('buys an add-on without terms: pending with a client secret, then active for a month once completed', async () => {
    const { org, admin, member } = await h.buyer();
    const started = await h.purchase(admin, card('priority-support'));
    expect(started.status).toBe(201);
    expect(started.body).toEqual({
      purchase: expect.objectContaining({
        id: expect.stringMatching(/^pur_/),
        orgId: org.id,
        serviceName: 'priority-support',
        status: 'pending',
        billingMode: 'recurring',
        amount: 4900,
        currency: 'USD',
        paymentSource: 'gateway',
        gateway: 'sandbox',
        paymentIntentId: expect.stringMatching(/^pi_sandbox_/),
        termsVersion: null,
        periodStart: null,
        periodEnd: null,
        purchasedBy: 'user_admin',
        completedAt: null,
      }),
      paymentIntentClientSecret: expect.stringContaining('_secret_'),
    });

    const completed = await h.complete(admin, started.body.purchase.id);
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({
      status: 'active',
      periodStart: clock.now(),
      periodEnd: Date.UTC(2026, 1, 28, 12),
      completedAt: clock.now(),
    });

    const listed = await h.purchased(member);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([completed.body]);
    const events = await h.outboxOf(org.id, 'services.purchased');
    expect(events.map((e: { envelope: { data: unknown } }) => e.envelope.data)).toEqual([
      expect.objectContaining({
        purchaseId: completed.body.id,
        serviceName: 'priority-support',
        amount: 4900,
        paymentSource: 'gateway',
        periodEnd: Date.UTC(2026, 1, 28, 12),
      }),
    ]);
  });

  it('activates and publishes once when complete-payment is called twice and concurrently', async () => {
    const { org, admin } = await h.buyer();
    const { body } = await h.purchase(admin, card('extra-storage-100gb'));
    const results = await Promise.all(Array.from({ length: 16 }, () => h.complete(admin, body.purchase.id)));
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    const again = await h.complete(admin, body.purchase.id);
    expect(again.body).toEqual(results[0].body);
    expect(await h.outboxOf(org.id, 'services.purchased')).toHaveLength(1);
  });

  it('marks a declined payment failed once, answering 402 every time, and enables nothing', async () => {
    const { org, admin, member } = await h.buyer();
    const { body } = await h.purchase(admin, card('priority-support', 'pm_card_chargeDeclined'));
    const results = await Promise.all([h.complete(admin, body.purchase.id), h.complete(admin, body.purchase.id)]);
    for (const res of results)
      expect(res.body.error).toMatchObject({ code: 'PAYMENT_FAILED', details: { purchaseId: body.purchase.id } });
    expect(results[0].status).toBe(402);
    expect((await h.purchased(member)).body.items).toEqual([
      expect.objectContaining({ status: 'failed', periodStart: null, failureReason: 'generic_decline' }),
    ]);
    expect(await h.outboxOf(org.id, 'services.purchase_failed')).toHaveLength(1);
    expect(await h.outboxOf(org.id, 'services.purchased')).toHaveLength(0);
  });

  describe('paying from the credit balance', () => {
    const credits = (serviceName: string) => ({ serviceName, paymentSource: 'credits' });

    async function gift(orgId: string, amount: number) {
      const res = await sys.api('POST', '/billing/gift-credits', {
        token: await sys.rootToken(),
        body: { orgId, amount, currency: 'USD', reason: 'Add-on test credits' },
      });
      expect(res.status).toBe(201);
    }
    const balanceOf = async (token: string) => (await sys.api('GET', '/billing/balance', { token })).body.balance;

    it('debits the price once and activates at once, with the debit in the transactions', async () => {
      const { org, admin, member } = await h.buyer();
      await gift(org.id, 10_000);
      const res = await h.purchase(admin, credits('extra-storage-100gb'));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        purchase: expect.objectContaining({
          status: 'active',
          paymentSource: 'credits',
          gateway: null,
          paymentIntentId: null,
          amount: 1500,
          completedAt: clock.now(),
        }),
        paymentIntentClientSecret: null,
      });
      expect(await balanceOf(member)).toBe(8_500);
      const transactions = (await sys.api('GET', '/billing/transactions?type=debit', { token: member })).body.items;
      expect(transactions).toEqual([
        expect.objectContaining({
          type: 'debit',
          amount: 1500,
          reference: res.body.purchase.id,
          reason: 'Add-on: Extra storage (100 GB)',
          balanceAfter: 8_500,
        }),
      ]);
      expect((await h.complete(admin, res.body.purchase.id)).body).toMatchObject({ status: 'active' });
      expect(await balanceOf(member)).toBe(8_500);
      expect(await h.outboxOf(org.id, 'services.purchased')).toHaveLength(1);
    });

    it('pages the purchases newest first, and a status filter fills its pages even where the status is derived', async () => {
      const { org, admin, member } = await h.buyer();
      await gift(org.id, 100_000);
      await h.accept(admin);
      const bought: string[] = [];
      for (const serviceName of [AI, 'extra-storage-100gb', AI, 'extra-storage-100gb', AI]) {
        bought.unshift((await h.purchase(admin, credits(serviceName))).body.purchase.id);
      }
      const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((p) => p.id);

      const first = await h.purchased(member, '?limit=2');
      expect(ids(first)).toEqual(bought.slice(0, 2));
      const second = await h.purchased(member, `?limit=2&cursor=${first.body.nextCursor}`);
      expect(ids(second)).toEqual(bought.slice(2, 4));
      const last = await h.purchased(member, `?limit=2&cursor=${second.body.nextCursor}`);
      expect([ids(last), last.body.nextCursor]).toEqual([bought.slice(4), null]);

      await h.revoke(admin);
      const suspended = await h.purchased(member, '?status=suspended&limit=2');
      expect(ids(suspended)).toEqual([bought[0], bought[2]]);
      const rest = await h.purchased(member, `?status=suspended&limit=2&cursor=${suspended.body.nextCursor}`);
      expect([ids(rest), rest.body.nextCursor]).toEqual([[bought[4]], null]);
      expect(ids(await h.purchased(member, '?status=active'))).toEqual([bought[1], bought[3]]);
      expect((await h.purchased(member, '?limit=101')).status).toBe(400);
    });

    it('settles card payments racing credit purchases of the same add-on without deadlock, periods end to end', async () => {
      const { org, admin, member } = await h.buyer();
      await gift(org.id, 100_000);
      const statuses: number[] = [];
      for (let round = 0; round < 12; round++) {
        const pending = (await h.purchase(admin, card('extra-storage-100gb'))).body.purchase.id;
        const results = await Promise.all([
          h.complete(admin, pending),
          h.purchase(admin, credits('extra-storage-100gb')),
          h.purchase(admin, credits('extra-storage-100gb')),
        ]);
        statuses.push(...results.map((r) => r.status));
      }
      expect(statuses).toEqual(Array(12).fill([200, 201, 201]).flat());
      const periods = (await h.purchased(member, '?limit=100')).body.items
        .map((p: { periodStart: number; periodEnd: number }) => [p.periodStart, p.periodEnd])
        .sort((x: number[], y: number[]) => x[0] - y[0]);
      expect(periods).toHaveLength(36);
      for (let i = 1; i < periods.length; i++) expect(periods[i][0]).toBe(periods[i - 1][1]);
    });

    it('refuses a purchase the balance does not cover with 409, changing nothing', async () => {
      const { org, admin, member } = await h.buyer();
      await gift(org.id, 1_000);
      const res = await h.purchase(admin, credits('priority-support'));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('INSUFFICIENT_BALANCE');
      expect(await balanceOf(member)).toBe(1_000);
      expect((await h.purchased(member)).body.items).toEqual([]);
      expect(
        await sys
          .db('billing')('outbox')
          .where({ subject: 'billing.debit_declined' })
          .whereRaw("envelope->>'orgId' = ?", [org.id]),
      ).toEqual([]);
    });

    it('sells exactly what the balance covers when purchases race, never going below zero', async () => {
      const { org, admin, member } = await h.buyer();
      await gift(org.id, 10_000);
      await h.accept(admin);
      const results = await Promise.all(Array.from({ length: 12 }, () => h.purchase(admin, credits(AI))));
      expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(11).fill(409)]);
      expect(await balanceOf(member)).toBe(100);
      expect((await h.purchased(member)).body.items).toHaveLength(1);
    });

    it('replays the first answer for a repeated Idempotency-Key and refuses the key with another body', async () => {
      const { org, admin, member } = await h.buyer();
      await gift(org.id, 10_000);
      const send = (serviceName: string) =>
        sys.api('POST', '/services/purchase', {
          token: admin,
          body: credits(serviceName),
          headers: { 'idempotency-key': 'buy-storage-1' },
        });
      const first = await send('extra-storage-100gb');
      const replay = await send('extra-storage-100gb');
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(await balanceOf(member)).toBe(8_500);
      const reused = await send('priority-support');
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });
  });

  describe('the agreement gate', () => {
    it('refuses an add-on with terms until they are accepted, then sells it', async () => {
      const { admin, member } = await h.buyer();
      const refused = await h.purchase(admin, card(AI));
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({
        code: 'AGREEMENT_REQUIRED',
        details: { serviceName: AI, currentTermsVersion: '2025-11', acceptedTermsVersion: null },
      });
      expect((await h.purchased(member)).body.items).toEqual([]);

      await h.accept(admin);
      const started = await h.purchase(admin, card(AI));
      expect(started.status).toBe(201);
      expect(started.body.purchase).toMatchObject({ termsVersion: '2025-11', amount: 9900 });
      expect((await h.complete(admin, started.body.purchase.id)).body.status).toBe('active');
    });

    it('asks for a new acceptance when a new terms version is published', async () => {
      const { admin } = await h.buyer();
      await h.accept(admin, 'premium-domain');
      await sys.db('billing')('addon_terms').insert({
        service_name: 'premium-domain',
        version: '2026-01',
        url: 'https://legal.example.com/addons/premium-domain/2026-01',
        summary: 'Revised registrar terms',
        published_at: clock.now(),
      });
      const refused = await h.purchase(admin, card('premium-domain'));
      expect(refused.status).toBe(409);
      expect(refused.body.error.details).toEqual({
        serviceName: 'premium-domain',
        currentTermsVersion: '2026-01',
        acceptedTermsVersion: '2025-11',
      });

      await h.accept(admin, 'premium-domain', '2026-01');
      const started = await h.purchase(admin, card('premium-domain'));
      expect(started.status).toBe(201);
      expect(started.body.purchase).toMatchObject({ termsVersion: '2026-01', billingMode: 'one-off' });
      expect((await h.complete(admin, started.body.purchase.id)).body).toMatchObject({
        status: 'active',
        periodEnd: null,
      });
    });

    it('suspends an active purchase when the terms are revoked, refuses new ones, and restores it on re-acceptance', async () => {
      const { admin, member } = await h.buyer();
      await h.accept(admin);
      const { body } = await h.purchase(admin, card(AI));
      await h.complete(admin, body.purchase.id);

      await h.revoke(admin);
      expect((await h.purchased(member)).body.items).toEqual([
        expect.objectContaining({ id: body.purchase.id, status: 'suspended' }),
      ]);
      expect((await h.purchase(admin, card(AI))).body.error.code).toBe('AGREEMENT_REQUIRED');
      expect((await h.purchased(member, '?status=suspended')).body.items).toHaveLength(1);

      await h.accept(admin);
      expect((await h.purchased(member)).body.items).toEqual([
        expect.objectContaining({ id: body.purchase.id, status: 'active' }),
      ]);
    });
  });

  it('extends a recurring add-on bought again while paid for, and shows a period that is over as expired', async () => {
    const { admin, member } = await h.buyer();
    const first = await h.purchase(admin, card('dedicated-success-manager'));
    const firstDone = (await h.complete(admin, first.body.purchase.id)).body;
    const second = await h.purchase(admin, card('dedicated-success-manager'));
    const secondDone = (await h.complete(admin, second.body.purchase.id)).body;
    expect(secondDone.periodStart).toBe(firstDone.periodEnd);

    clock.advance(35 * DAY);
    const items = (await h.purchased(member)).body.items;
    expect(items.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
      [secondDone.id, 'active'],
      [firstDone.id, 'expired'],
    ]);
    expect(
      (await h.purchased(member, '?status=expired&serviceName=dedicated-success-manager')).body.items,
    ).toHaveLength(1);
  });

  describe('validation', () => {
    it.each([
      ['no body', undefined, 'body'],
      ['an unknown payment source', { serviceName: AI, paymentSource: 'cash' }, 'body.paymentSource'],
      [
        'no payment method for the gateway',
        { serviceName: 'priority-support', paymentSource: 'gateway' },
        'body.paymentMethodId',
      ],
      ['a malformed payment method', { ...card('priority-support'), paymentMethodId: 'card' }, 'body.paymentMethodId'],
      ['an unknown gateway', { ...card('priority-support'), gateway: 'paypal' }, 'body.gateway'],
      ['a malformed service name', card('Priority Support'), 'body.serviceName'],
      ['an unknown field', { ...card('priority-support'), amount: 1 }, 'body'],
    ])('refuses a purchase with %s with 400, creating nothing', async (_name, body, path) => {
      const { admin, member } = await h.buyer();
      const res = await sys.api('POST', '/services/purchase', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect((await h.purchased(member)).body.items).toEqual([]);
    });

    it('refuses naming a gateway this deployment does not use with 400', async () => {
      const { admin } = await h.buyer();
      const res = await h.purchase(admin, { ...card('priority-support'), gateway: 'stripe' });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields).toEqual([{ path: 'body.gateway', message: 'must be sandbox' }]);
    });

    it('answers 404 for an unknown add-on and 422 for a card the gateway does not know, creating nothing', async () => {
      const { admin, member } = await h.buyer();
      expect((await h.purchase(admin, card('no-such-addon'))).status).toBe(404);
      const unknownCard = await h.purchase(admin, card('priority-support', 'pm_card_unknown'));
      expect(unknownCard.status).toBe(422);
      expect((await h.purchased(member)).body.items).toEqual([]);
    });

    it.each([
      ['no purchase id', {}, 'body.purchaseId'],
      ['a malformed purchase id', { purchaseId: 'txn_123' }, 'body.purchaseId'],
      ['an unknown field', { purchaseId: 'pur_abc', paymentIntentId: 'pi_1' }, 'body'],
    ])('refuses complete-payment with %s with 400', async (_name, body, path) => {
      const { admin } = await h.buyer();
      const res = await sys.api('POST', '/services/complete-payment', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    });

    it('answers 404 to a root operator buying for an org that does not exist, creating nothing', async () => {
      const res = await sys.api('POST', '/services/purchase', {
        token: await sys.rootToken(),
        orgid: 'org_doesnotexist',
        body: card('priority-support'),
      });
      expect(res.status).toBe(404);
      expect(await sys.db('billing')('addon_purchases').where({ org_id: 'org_doesnotexist' })).toEqual([]);
    });

    it("answers 404 for another org's purchase or an unknown one", async () => {
      const owner = await h.buyer();
      const stranger = await h.buyer();
      const { body } = await h.purchase(owner.admin, card('priority-support'));
      expect((await h.complete(stranger.admin, body.purchase.id)).status).toBe(404);
      expect((await h.complete(owner.admin, 'pur_doesnotexist')).status).toBe(404);
    });

    it.each([
      ['an unknown status', '?status=paused', 'query.status'],
      ['a malformed service name', '?serviceName=X', 'query.serviceName'],
      ['an unknown parameter', '?page=2', 'query'],
    ])('refuses listing purchases with %s with 400', async (_name, query, path) => {
      const { member } = await h.buyer();
      const res = await h.purchased(member, query);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe(path);
    });
  });
});

describe('add-on purchases through the gateway (stripe, against the Stripe HTTP fake)', () => {
  let sys: TestSystem;
  let stripe: StripeFake;
  const h = helpers(() => sys);
  const card = { serviceName: AI, paymentSource: 'gateway', gateway: 'stripe', paymentMethodId: 'pm_card_visa' };

  beforeAll(async () => {
    stripe = await StripeFake.start();
    sys = await startTestSystem({ env: stripe.env() });
  });
  afterAll(async () => {
    await sys?.close();
    await stripe?.close();
  });

  it('creates a PaymentIntent for the catalogue price and activates once Stripe says it succeeded', async () => {
    const { org, admin } = await h.buyer();
    await h.accept(admin);
    const started = await h.purchase(admin, card);
    expect(started.status).toBe(201);
    const intentId = started.body.purchase.paymentIntentId;
    expect(stripe.intents.get(intentId)).toMatchObject({
      amount: 9900,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      metadata: { purchaseId: started.body.purchase.id, orgId: org.id, purpose: 'addon' },
    });
    expect(started.body.paymentIntentClientSecret).toBe(stripe.intents.get(intentId)!.client_secret);

    const early = await h.complete(admin, started.body.purchase.id);
    expect(early.body).toMatchObject({ status: 'pending', periodStart: null });

    stripe.settle(intentId, { status: 'succeeded' });
    const results = await Promise.all(Array.from({ length: 6 }, () => h.complete(admin, started.body.purchase.id)));
    expect(results.map((r) => r.body.status)).toEqual(Array(6).fill('active'));
    expect(await h.outboxOf(org.id, 'services.purchased')).toHaveLength(1);
  });

  async function webhook(type: string, paymentIntentId: string) {
    const { payload, signature } = stripe.signedEvent(type, paymentIntentId);
    return sys.api('POST', '/billing/webhooks/stripe', {
      rawBody: payload,
      headers: { 'stripe-signature': signature },
    });
  }

  it('activates once when the payment webhook races complete-payment', async () => {
    const { org, admin } = await h.buyer();
    await h.accept(admin);
    const { body } = await h.purchase(admin, card);
    stripe.settle(body.purchase.paymentIntentId, { status: 'succeeded' });
    const [hook, ...completions] = await Promise.all([
      webhook('payment_intent.succeeded', body.purchase.paymentIntentId),
      h.complete(admin, body.purchase.id),
      h.complete(admin, body.purchase.id),
    ]);
    expect(hook.body).toEqual({ received: true, handled: true });
    expect(completions.map((r) => r.body.status)).toEqual(['active', 'active']);
    expect(await h.outboxOf(org.id, 'services.purchased')).toHaveLength(1);
    expect((await webhook('payment_intent.succeeded', body.purchase.paymentIntentId)).body).toEqual({
      received: true,
      handled: true,
    });
    expect(await h.outboxOf(org.id, 'services.purchased')).toHaveLength(1);
  });

  it('marks the purchase failed from a payment_failed webhook', async () => {
    const { admin } = await h.buyer();
    await h.accept(admin);
    const { body } = await h.purchase(admin, card);
    stripe.settle(body.purchase.paymentIntentId, { status: 'declined' });
    expect((await webhook('payment_intent.payment_failed', body.purchase.paymentIntentId)).body).toEqual({
      received: true,
      handled: true,
    });
    expect((await h.purchased(admin)).body.items[0]).toMatchObject({ id: body.purchase.id, status: 'failed' });
  });

  it('fails a purchase Stripe received less than the price for, enabling nothing', async () => {
    const { org, admin } = await h.buyer();
    await h.accept(admin);
    const { body } = await h.purchase(admin, card);
    stripe.settle(body.purchase.paymentIntentId, { status: 'succeeded', amountReceived: 100 });
    const res = await h.complete(admin, body.purchase.id);
    expect(res.status).toBe(402);
    expect((await webhook('payment_intent.succeeded', body.purchase.paymentIntentId)).body).toEqual({
      received: true,
      handled: true,
    });
    expect((await h.purchased(admin)).body.items[0]).toMatchObject({
      status: 'failed',
      failureReason: 'amount_mismatch',
    });
    expect(await h.outboxOf(org.id, 'services.purchased')).toHaveLength(0);
  });

  it('marks the purchase failed when the card is declined', async () => {
    const { admin } = await h.buyer();
    await h.accept(admin);
    const { body } = await h.purchase(admin, card);
    stripe.settle(body.purchase.paymentIntentId, { status: 'declined' });
    const res = await h.complete(admin, body.purchase.id);
    expect(res.status).toBe(402);
    expect(res.body.error.message).toContain('generic_decline');
  });
});

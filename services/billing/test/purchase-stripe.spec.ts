import { Organization } from '@org-mgmt/contracts';
import { startTestSystem, StripeFake, TestSystem } from '@org-mgmt/testing';

/** buy-credits → confirm (played by the Stripe fake) → complete-payment / webhook, through the gateway. */
describe('credit purchases through Stripe', () => {
  let sys: TestSystem;
  let fake: StripeFake;
  let org: Organization;
  let admin: string;

  beforeAll(async () => {
    fake = await StripeFake.start();
    sys = await startTestSystem({ env: fake.env() });
    org = await sys.registerOrg();
    admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
  });
  afterAll(async () => {
    await sys?.close();
    await fake?.close();
  });

  async function balanceOf(orgId = org.id): Promise<number> {
    return (await sys.api('GET', '/billing/balance', { token: await sys.rootToken(), orgid: orgId })).body.balance;
  }

  async function buy(amount = 2500, headers: Record<string, string> = {}, orgId = org.id, token = admin) {
    const res = await sys.api('POST', '/billing/buy-credits', {
      token,
      orgid: orgId,
      headers,
      body: { amount, currency: 'USD', gateway: 'stripe', paymentMethodId: 'pm_card_visa' },
    });
    expect(res.status).toBe(201);
    return res.body as { transactionId: string; paymentIntentId: string; paymentIntentClientSecret: string };
  }

  function complete(purchase: { transactionId: string; paymentIntentId: string }, orgid: string | undefined = org.id) {
    return sys.api('POST', '/billing/complete-payment', {
      orgid,
      body: { paymentIntentId: purchase.paymentIntentId, transactionId: purchase.transactionId, gateway: 'stripe' },
    });
  }

  async function webhook(type: string, paymentIntentId: string) {
    const { payload, signature } = fake.signedEvent(type, paymentIntentId);
    return sys.api('POST', '/billing/webhooks/stripe', {
      rawBody: payload,
      headers: { 'stripe-signature': signature },
    });
  }

  async function transaction(id: string) {
    return sys.db('billing')('transactions').where({ id }).first();
  }

  it('follows the spec three steps: buy-credits, confirm with Stripe, complete-payment credits the balance once', async () => {
    const before = await balanceOf();
    const purchase = await buy(2500);
    expect(purchase).toMatchObject({
      transactionId: expect.stringMatching(/^txn_/),
      paymentIntentId: expect.stringMatching(/^pi_/),
      paymentIntentClientSecret: expect.stringContaining('_secret_'),
    });
    expect(fake.intents.get(purchase.paymentIntentId)).toMatchObject({
      amount: 2500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      metadata: { transactionId: purchase.transactionId, orgId: org.id, purpose: 'credits' },
    });
    fake.settle(purchase.paymentIntentId, { status: 'succeeded' });

    const res = await complete(purchase);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: purchase.transactionId,
      type: 'purchase',
      status: 'succeeded',
      amount: 2500,
      currency: 'USD',
      balanceAfter: before + 2500,
    });
    expect(await balanceOf()).toBe(before + 2500);

    const again = await complete(purchase);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await balanceOf()).toBe(before + 2500);
    expect(await sys.db('billing')('ledger_entries').where({ transaction_id: purchase.transactionId })).toHaveLength(1);
  });

  it('shows the purchase in the transactions as pending, then succeeded', async () => {
    const purchase = await buy(700);
    const member = await sys.token({ orgId: org.id });
    let list = await sys.api('GET', '/billing/transactions?limit=1', { token: member });
    expect(list.body.items[0]).toMatchObject({ id: purchase.transactionId, status: 'pending', balanceAfter: null });
    fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
    await complete(purchase);
    list = await sys.api('GET', '/billing/transactions?limit=1', { token: member });
    expect(list.body.items[0]).toMatchObject({
      id: purchase.transactionId,
      status: 'succeeded',
      completedAt: expect.any(Number),
    });
  });

  it('answers 409 and changes nothing while the payment is not confirmed yet', async () => {
    const before = await balanceOf();
    const purchase = await buy();
    const res = await complete(purchase);
    expect(res.status).toBe(409);
    expect((await transaction(purchase.transactionId)).status).toBe('pending');
    expect(await balanceOf()).toBe(before);
  });

  const failures: [string, (p: { paymentIntentId: string }) => void, string][] = [
    ['a declined card', (p) => fake.settle(p.paymentIntentId, { status: 'declined' }), 'generic_decline'],
    ['a cancelled intent', (p) => fake.settle(p.paymentIntentId, { status: 'canceled' }), 'canceled: abandoned'],
    [
      'less money received than bought',
      (p) => fake.settle(p.paymentIntentId, { status: 'succeeded', amountReceived: 2499 }),
      'amount_mismatch',
    ],
    [
      'another currency received',
      (p) => fake.settle(p.paymentIntentId, { status: 'succeeded', currency: 'EUR' }),
      'currency_mismatch',
    ],
    [
      'an intent made out for another org',
      (p) => {
        fake.settle(p.paymentIntentId, { status: 'succeeded' }).metadata.orgId = 'org_someoneelse';
      },
      'org_mismatch',
    ],
    ['an intent Stripe does not know', (p) => fake.intents.delete(p.paymentIntentId), 'unknown_payment'],
  ];
  it.each(failures)('credits nothing for %s and marks the purchase failed', async (_case, settle, reason) => {
    const before = await balanceOf();
    const purchase = await buy(2500);
    settle(purchase);
    const res = await complete(purchase);
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({
      code: 'PAYMENT_FAILED',
      details: { transaction: { status: 'failed', failureReason: reason } },
    });
    expect(await transaction(purchase.transactionId)).toMatchObject({
      status: 'failed',
      failure_reason: reason,
      balance_after: null,
    });
    expect(await balanceOf()).toBe(before);
    // The failed purchase's intent cannot be paid later: one that had not succeeded was cancelled at Stripe.
    const intent = fake.intents.get(purchase.paymentIntentId);
    if (intent && intent.amount_received === 0) expect(intent.status).toBe('canceled');
    expect((await complete(purchase)).status).toBe(402);
    expect(await balanceOf()).toBe(before);
  });

  it('credits a purchase whose declined intent succeeded with another card before it could be cancelled', async () => {
    const before = await balanceOf();
    const purchase = await buy(800);
    fake.settle(purchase.paymentIntentId, { status: 'declined' });
    fake.beforeCancel = (intent) => fake.settle(intent.id, { status: 'succeeded' });
    try {
      const res = await complete(purchase);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', amount: 800 });
    } finally {
      fake.beforeCancel = undefined;
    }
    expect(await balanceOf()).toBe(before + 800);
  });

  it('answers 404 for a payment intent that is not the purchase’s, changing nothing', async () => {
    const purchase = await buy();
    const other = await buy();
    fake.settle(other.paymentIntentId, { status: 'succeeded' });
    const res = await complete({ transactionId: purchase.transactionId, paymentIntentId: other.paymentIntentId });
    expect(res.status).toBe(404);
    expect((await transaction(purchase.transactionId)).status).toBe('pending');
    expect((await transaction(other.transactionId)).status).toBe('pending');
  });

  it('answers 404 when the orgid header names another org than the purchase’s', async () => {
    const purchase = await buy();
    fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
    const other = await sys.registerOrg();
    expect((await complete(purchase, other.id)).status).toBe(404);
    expect((await transaction(purchase.transactionId)).status).toBe('pending');
  });

  it('credits once when 50 complete-payment calls for one intent run concurrently', async () => {
    const before = await balanceOf();
    const purchase = await buy(5000);
    fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
    const results = await Promise.all(Array.from({ length: 50 }, () => complete(purchase)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await balanceOf()).toBe(before + 5000);
    expect(await sys.db('billing')('ledger_entries').where({ transaction_id: purchase.transactionId })).toHaveLength(1);
  });

  describe('POST /billing/webhooks/stripe', () => {
    it('finalises a purchase from a signed payment_intent.succeeded event; complete-payment afterwards is a no-op', async () => {
      const before = await balanceOf();
      const purchase = await buy(1200);
      fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
      const res = await webhook('payment_intent.succeeded', purchase.paymentIntentId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true, handled: true });
      expect(await balanceOf()).toBe(before + 1200);
      expect((await complete(purchase)).body).toMatchObject({ status: 'succeeded' });
      expect((await webhook('payment_intent.succeeded', purchase.paymentIntentId)).status).toBe(200);
      expect(await balanceOf()).toBe(before + 1200);
    });

    it('marks a purchase failed from payment_intent.payment_failed, crediting nothing', async () => {
      const before = await balanceOf();
      const purchase = await buy();
      fake.settle(purchase.paymentIntentId, { status: 'declined' });
      expect((await webhook('payment_intent.payment_failed', purchase.paymentIntentId)).body).toEqual({
        received: true,
        handled: true,
      });
      expect((await transaction(purchase.transactionId)).status).toBe('failed');
      expect(await balanceOf()).toBe(before);
    });

    it('credits from the intent Stripe holds, not from the event body', async () => {
      const before = await balanceOf();
      const purchase = await buy();
      fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
      const { payload, signature } = fake.signedEvent('payment_intent.succeeded', purchase.paymentIntentId);
      fake.settle(purchase.paymentIntentId, { status: 'processing' });
      await sys.api('POST', '/billing/webhooks/stripe', {
        rawBody: payload,
        headers: { 'stripe-signature': signature },
      });
      expect((await transaction(purchase.transactionId)).status).toBe('pending');
      expect(await balanceOf()).toBe(before);
    });

    it('acknowledges events that concern no credit purchase without acting', async () => {
      const purchase = await buy();
      fake.intents.get(purchase.paymentIntentId)!.metadata.purpose = 'addon';
      fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
      expect((await webhook('payment_intent.succeeded', purchase.paymentIntentId)).body).toEqual({
        received: true,
        handled: false,
      });
      expect((await transaction(purchase.transactionId)).status).toBe('pending');
    });

    it.each([
      ['a wrong signature', () => 't=1,v1=deadbeef'],
      ['no signature', () => undefined],
    ])('refuses %s with 400, changing nothing', async (_case, signature) => {
      const before = await balanceOf();
      const purchase = await buy();
      fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
      const { payload } = fake.signedEvent('payment_intent.succeeded', purchase.paymentIntentId);
      const sig = signature();
      const res = await sys.api('POST', '/billing/webhooks/stripe', {
        rawBody: payload,
        headers: sig ? { 'stripe-signature': sig } : {},
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(await balanceOf()).toBe(before);
    });

    it('refuses a body altered after signing (the signature covers the raw bytes)', async () => {
      const purchase = await buy();
      const { payload, signature } = fake.signedEvent('payment_intent.succeeded', purchase.paymentIntentId);
      const res = await sys.api('POST', '/billing/webhooks/stripe', {
        rawBody: payload.replace('{', '{ '),
        headers: { 'stripe-signature': signature },
      });
      expect(res.status).toBe(400);
    });

    it('credits once when complete-payment races the webhook', async () => {
      const before = await balanceOf();
      const purchases = await Promise.all(Array.from({ length: 5 }, () => buy(300)));
      purchases.forEach((p) => fake.settle(p.paymentIntentId, { status: 'succeeded' }));
      const calls = purchases.flatMap((p) => [
        complete(p),
        webhook('payment_intent.succeeded', p.paymentIntentId),
        complete(p),
        webhook('payment_intent.succeeded', p.paymentIntentId),
      ]);
      const results = await Promise.all(calls);
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(await balanceOf()).toBe(before + 5 * 300);
      for (const p of purchases) {
        expect(await sys.db('billing')('ledger_entries').where({ transaction_id: p.transactionId })).toHaveLength(1);
      }
    });
  });

  describe('Idempotency-Key on buy-credits', () => {
    it('replays the first response for the same key and body, making one purchase and one intent', async () => {
      const key = { 'idempotency-key': `buy-${Date.now()}` };
      const first = await buy(900, key);
      const intentsBefore = fake.intents.size;
      const replay = await buy(900, key);
      expect(replay).toEqual(first);
      expect(fake.intents.size).toBe(intentsBefore);
    });

    it('refuses the same key with a different body with 409', async () => {
      const key = { 'idempotency-key': `buy-diff-${Date.now()}` };
      await buy(900, key);
      const res = await sys.api('POST', '/billing/buy-credits', {
        token: admin,
        headers: key,
        body: { amount: 901, currency: 'USD', paymentMethodId: 'pm_card_visa' },
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('makes one purchase when 20 requests with one key run concurrently', async () => {
      const key = `buy-par-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          sys.api('POST', '/billing/buy-credits', {
            token: admin,
            headers: { 'idempotency-key': key },
            body: { amount: 1000, currency: 'USD', paymentMethodId: 'pm_card_visa' },
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(1);
      expect(await sys.db('billing')('transactions').where({ id: results[0].body.transactionId })).toHaveLength(1);
    });
  });

  describe('validation', () => {
    const valid = { amount: 2500, currency: 'USD', paymentMethodId: 'pm_card_visa' };
    const invalid: [string, unknown, string][] = [
      ['a negative amount', { ...valid, amount: -100 }, 'body.amount'],
      ['a zero amount', { ...valid, amount: 0 }, 'body.amount'],
      ['a fraction of a cent', { ...valid, amount: 100.5 }, 'body.amount'],
      ['an amount below the 50-cent minimum', { ...valid, amount: 49 }, 'body.amount'],
      ['a huge amount', { ...valid, amount: 1e15 }, 'body.amount'],
      ['an amount as a string', { ...valid, amount: '100' }, 'body.amount'],
      ['an unaccepted currency', { ...valid, currency: 'EUR' }, 'body.currency'],
      ['a lower-case currency', { ...valid, currency: 'usd' }, 'body.currency'],
      ['a missing amount', { currency: 'USD', paymentMethodId: 'pm_card_visa' }, 'body.amount'],
      ['a missing currency', { amount: 100, paymentMethodId: 'pm_card_visa' }, 'body.currency'],
      ['a missing payment method', { amount: 100, currency: 'USD' }, 'body.paymentMethodId'],
      ['an unknown gateway', { ...valid, gateway: 'paypal' }, 'body.gateway'],
      ['the gateway that is not configured', { ...valid, gateway: 'sandbox' }, 'body.gateway'],
      ['an unknown field', { ...valid, coupon: 'FREE' }, 'body'],
    ];
    it.each(invalid)('refuses %s with 400 naming the field, creating nothing', async (_case, body, path) => {
      const count = await sys.db('billing')('transactions').count<{ count: string }[]>();
      const res = await sys.api('POST', '/billing/buy-credits', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect(await sys.db('billing')('transactions').count()).toEqual(count);
    });

    it.each([
      ['a malformed transaction id', { paymentIntentId: 'pi_1', transactionId: 'nope' }, 'body.transactionId'],
      [
        'a malformed payment intent id',
        { paymentIntentId: 'x', transactionId: 'txn_aaaaaaaaaaaaaaaaaaaa' },
        'body.paymentIntentId',
      ],
      ['a missing transaction id', { paymentIntentId: 'pi_1' }, 'body.transactionId'],
    ])('refuses complete-payment with %s with 400', async (_case, body, path) => {
      const res = await sys.api('POST', '/billing/complete-payment', { body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    });

    it('answers 404 for a transaction that does not exist', async () => {
      const res = await sys.api('POST', '/billing/complete-payment', {
        body: { paymentIntentId: 'pi_1', transactionId: 'txn_aaaaaaaaaaaaaaaaaaaa' },
      });
      expect(res.status).toBe(404);
    });
  });
});

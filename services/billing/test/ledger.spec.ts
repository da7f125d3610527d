import { Organization, RpcRequest } from '@org-mgmt/contracts';
import { ManualClock, RpcClient } from '@org-mgmt/runtime';
import { ApiResponse, startTestSystem, TestSystem, signedRpcClient } from '@org-mgmt/testing';

/** Balance, transactions, operator grants and the internal debit, with the sandbox gateway (the default). */
describe('credit ledger', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 1));
  let sys: TestSystem;
  let rpc: RpcClient;
  let org: Organization;
  let root: string;
  let admin: string;
  let member: string;

  beforeAll(async () => {
    sys = await startTestSystem({ clock });
    rpc = await signedRpcClient(sys.env, 15_000);
    org = await sys.registerOrg();
    root = await sys.rootToken();
    admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    member = await sys.token({ orgId: org.id });
  });
  afterAll(async () => {
    await rpc?.close();
    await sys?.close();
  });

  async function newOrg() {
    return (await sys.registerOrg()).id;
  }

  async function balanceOf(orgId: string): Promise<number> {
    return (await sys.api('GET', '/billing/balance', { token: root, orgid: orgId })).body.balance;
  }

  async function gift(orgId: string, amount: number, headers: Record<string, string> = {}) {
    return sys.api('POST', '/billing/gift-credits', {
      token: root,
      headers,
      body: { orgId, amount, currency: 'USD', reason: 'Welcome offer' },
    });
  }

  function debit(
    body: Record<string, unknown>,
    roles: RpcRequest['principal'] = { sub: 'subscriptions', orgId: sys.config.ROOT_ORG_ID, roles: ['System'] },
  ) {
    return rpc.request('billing.credits.debit', {
      principal: roles,
      orgId: null,
      requestId: `test-${Math.random()}`,
      body,
    });
  }

  /** The ledger explains the balance: the sum of an org's entries is its balance. */
  async function expectLedgerExplainsBalance(orgId: string) {
    const [{ sum }] = await sys
      .db('billing')('ledger_entries')
      .where({ org_id: orgId })
      .sum<{ sum: string | null }[]>('delta as sum');
    expect(Number(sum ?? 0)).toBe(await balanceOf(orgId));
  }

  describe('GET /billing/balance', () => {
    it('is zero in the credit currency for an org that never had credits', async () => {
      const res = await sys.api('GET', '/billing/balance', { token: member });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ orgId: org.id, balance: 0, currency: 'USD', updatedAt: null, closedAt: null });
    });

    it('answers 404 NOT_FOUND for an org that does not exist, as every other endpoint does', async () => {
      const balance = await sys.api('GET', '/billing/balance', { token: root, orgid: 'org_doesnotexist' });
      expect(balance.status).toBe(404);
      expect(balance.body.error.code).toBe('NOT_FOUND');
      const transactions = await sys.api('GET', '/billing/transactions', { token: root, orgid: 'org_doesnotexist' });
      expect(transactions.status).toBe(404);
      expect(transactions.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('sandbox purchases (the default gateway)', () => {
    it('buys credits with pm_card_visa: complete-payment credits once, a second call changes nothing', async () => {
      const orgId = await newOrg();
      const token = await sys.token({ orgId, roles: ['ConfigAdmin'] });
      const bought = await sys.api('POST', '/billing/buy-credits', {
        token,
        body: { amount: 100, currency: 'USD', paymentMethodId: 'pm_card_visa' },
      });
      expect(bought.status).toBe(201);
      expect(bought.body).toMatchObject({
        paymentIntentId: expect.stringMatching(/^pi_sandbox_/),
        status: 'pending',
        amount: 100,
        currency: 'USD',
      });
      const body = { paymentIntentId: bought.body.paymentIntentId, transactionId: bought.body.transactionId };
      const first = await sys.api('POST', '/billing/complete-payment', { orgid: orgId, body });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'succeeded', amount: 100, balanceAfter: 100, gateway: 'sandbox' });
      expect((await sys.api('POST', '/billing/complete-payment', { orgid: orgId, body })).body).toEqual(first.body);
      expect(await balanceOf(orgId)).toBe(100);
    });

    it('declines pm_card_chargeDeclined: the purchase fails and nothing is credited', async () => {
      const orgId = await newOrg();
      const token = await sys.token({ orgId, roles: ['ConfigAdmin'] });
      const bought = await sys.api('POST', '/billing/buy-credits', {
        token,
        body: { amount: 100, currency: 'USD', paymentMethodId: 'pm_card_chargeDeclined' },
      });
      const res = await sys.api('POST', '/billing/complete-payment', {
        body: { paymentIntentId: bought.body.paymentIntentId, transactionId: bought.body.transactionId },
      });
      expect(res.status).toBe(402);
      expect(res.body.error.details.transaction).toMatchObject({ status: 'failed', failureReason: 'generic_decline' });
      expect(await balanceOf(orgId)).toBe(0);
    });

    it('refuses a payment method that is not a sandbox test card with 422, creating nothing', async () => {
      const count = await sys.db('billing')('transactions').count();
      const res = await sys.api('POST', '/billing/buy-credits', {
        token: admin,
        body: { amount: 100, currency: 'USD', paymentMethodId: 'pm_abc' },
      });
      expect(res.status).toBe(422);
      expect(await sys.db('billing')('transactions').count()).toEqual(count);
    });

    it('refuses webhooks: the sandbox sends none', async () => {
      const res = await sys.api('POST', '/billing/webhooks/stripe', {
        rawBody: '{"id":"evt_1"}',
        headers: { 'stripe-signature': 't=1,v1=00' },
      });
      expect(res.status).toBe(400);
    });
  });

  describe('POST /billing/gift-credits and /billing/add-credit', () => {
    it('gifts credits with who and why, and the org sees them', async () => {
      const res = await gift(org.id, 1500);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        balance: 1500,
        transaction: expect.objectContaining({
          orgId: org.id,
          type: 'gift',
          status: 'succeeded',
          amount: 1500,
          currency: 'USD',
          reason: 'Welcome offer',
          createdBy: 'root-operator',
          balanceAfter: 1500,
        }),
      });
      const mine = await sys.api('GET', '/billing/balance', { token: member });
      // With TEST_SERVICES=processes the services keep their own clocks.
      expect(mine.body).toMatchObject({
        balance: 1500,
        updatedAt: sys.separateProcesses ? expect.any(Number) : clock.now(),
      });
      const list = await sys.api('GET', '/billing/transactions?limit=1', { token: member });
      expect(list.body.items[0]).toEqual(res.body.transaction);
    });

    it('records a refund as a refund of the transaction it names', async () => {
      const orgId = await newOrg();
      const gifted = (await gift(orgId, 500)).body.transaction;
      const res = await sys.api('POST', '/billing/add-credit', {
        token: root,
        body: {
          orgId,
          amount: 250,
          currency: 'USD',
          reason: 'Refund of a failed deployment',
          type: 'refund',
          relatedTransactionId: gifted.id,
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.transaction).toMatchObject({
        type: 'refund',
        relatedTransactionId: gifted.id,
        reason: 'Refund of a failed deployment',
        amount: 250,
      });
      expect(res.body.balance).toBe(750);
    });

    it('records an adjustment when no type is given', async () => {
      const orgId = await newOrg();
      const res = await sys.api('POST', '/billing/add-credit', {
        token: root,
        body: { orgId, amount: 99, currency: 'USD', reason: 'Goodwill' },
      });
      expect(res.body.transaction).toMatchObject({ type: 'adjustment', relatedTransactionId: null });
    });

    it('refuses a refund naming another org’s transaction with 400, changing nothing', async () => {
      const orgId = await newOrg();
      const foreign = (await gift(org.id, 1)).body.transaction;
      const res = await sys.api('POST', '/billing/add-credit', {
        token: root,
        body: {
          orgId,
          amount: 10,
          currency: 'USD',
          reason: 'Refund',
          type: 'refund',
          relatedTransactionId: foreign.id,
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe('body.relatedTransactionId');
      expect(await balanceOf(orgId)).toBe(0);
    });

    const valid = { orgId: 'org_placeholder', amount: 100, currency: 'USD', reason: 'Promo' };
    const invalid: [string, Record<string, unknown>, string][] = [
      ['a negative amount', { amount: -1 }, 'body.amount'],
      ['a zero amount', { amount: 0 }, 'body.amount'],
      ['a fraction of a cent', { amount: 10.25 }, 'body.amount'],
      ['a huge amount', { amount: Number.MAX_SAFE_INTEGER }, 'body.amount'],
      ['another currency', { currency: 'GBP' }, 'body.currency'],
      ['an empty reason', { reason: '   ' }, 'body.reason'],
      ['a missing reason', { reason: undefined }, 'body.reason'],
      ['a malformed org id', { orgId: 'acme' }, 'body.orgId'],
      ['an unknown field', { bonus: true }, 'body'],
    ];
    it.each(invalid)(
      'refuses a gift with %s with 400 naming the field, changing nothing',
      async (_case, change, path) => {
        const orgId = await newOrg();
        const res = await sys.api('POST', '/billing/gift-credits', {
          token: root,
          body: { ...valid, orgId, ...change },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
        expect(await balanceOf(orgId)).toBe(0);
      },
    );

    it('answers 404 for an org that does not exist, crediting nothing', async () => {
      const res = await gift('org_doesnotexist', 100);
      expect(res.status).toBe(404);
      const added = await sys.api('POST', '/billing/add-credit', {
        token: root,
        body: { ...valid, orgId: 'org_doesnotexist' },
      });
      expect(added.status).toBe(404);
      const bought = await sys.api('POST', '/billing/buy-credits', {
        token: root,
        orgid: 'org_doesnotexist',
        body: { amount: 100, currency: 'USD', paymentMethodId: 'pm_card_visa' },
      });
      expect(bought.status).toBe(404);
      expect(await sys.db('billing')('transactions').where({ org_id: 'org_doesnotexist' })).toHaveLength(0);
    });

    it('refuses an unknown add-credit type with 400', async () => {
      const res = await sys.api('POST', '/billing/add-credit', {
        token: root,
        body: { ...valid, orgId: org.id, type: 'bonus' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe('body.type');
    });
  });

  describe('Idempotency-Key on gift-credits and add-credit', () => {
    it('replays the first response and credits once', async () => {
      const orgId = await newOrg();
      const first = await gift(orgId, 300, { 'idempotency-key': 'gift-1' });
      const replay = await gift(orgId, 300, { 'idempotency-key': 'gift-1' });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(await balanceOf(orgId)).toBe(300);
    });

    it('replays the byte-identical first body, key order included, with Idempotent-Replayed: true', async () => {
      const orgId = await newOrg();
      const first = await gift(orgId, 300, { 'idempotency-key': 'gift-bytes' });
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      for (let i = 0; i < 3; i++) {
        const replay = await gift(orgId, 300, { 'idempotency-key': 'gift-bytes' });
        expect(replay.status).toBe(201);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.headers.get('content-type')).toMatch(/^application\/json/);
        expect(replay.text).toBe(first.text);
      }
      const bought = { amount: 500, currency: 'USD', paymentMethodId: 'pm_card_visa' };
      const buy = () =>
        sys.api('POST', '/billing/buy-credits', {
          token: root,
          orgid: orgId,
          headers: { 'idempotency-key': 'buy-bytes' },
          body: bought,
        });
      const firstBuy = await buy();
      const replayedBuy = await buy();
      expect(replayedBuy.headers.get('idempotent-replayed')).toBe('true');
      expect(replayedBuy.text).toBe(firstBuy.text);
    });

    it('refuses the same key with a different body with 409, changing nothing', async () => {
      const orgId = await newOrg();
      await gift(orgId, 300, { 'idempotency-key': 'gift-2' });
      const res = await gift(orgId, 301, { 'idempotency-key': 'gift-2' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await balanceOf(orgId)).toBe(300);
    });

    it('credits once when 25 requests with one key run concurrently', async () => {
      const orgId = await newOrg();
      const body = { orgId, amount: 40, currency: 'USD', reason: 'Outage credit' };
      const results = await Promise.all(
        Array.from({ length: 25 }, () =>
          sys.api('POST', '/billing/add-credit', { token: root, headers: { 'idempotency-key': 'outage-7' }, body }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(25).fill(201));
      expect(new Set(results.map((r) => r.body.transaction.id)).size).toBe(1);
      expect(await balanceOf(orgId)).toBe(40);
    });

    it('keeps keys apart per operation: the same key on gift and add-credit are two requests', async () => {
      const orgId = await newOrg();
      await gift(orgId, 10, { 'idempotency-key': 'shared' });
      await sys.api('POST', '/billing/add-credit', {
        token: root,
        headers: { 'idempotency-key': 'shared' },
        body: { orgId, amount: 10, currency: 'USD', reason: 'x' },
      });
      expect(await balanceOf(orgId)).toBe(20);
    });

    it('refuses a key longer than 255 characters with 400', async () => {
      const res = await gift(org.id, 10, { 'idempotency-key': 'k'.repeat(256) });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe('headers.idempotency-key');
    });
  });

  describe('GET /billing/transactions', () => {
    let orgId: string;
    let token: string;
    const start = Date.UTC(2026, 10, 2);

    beforeAll(async () => {
      orgId = await newOrg();
      token = await sys.token({ orgId });
      clock.set(start);
      for (const amount of [1, 2, 3, 4, 5]) {
        await gift(orgId, amount);
        clock.advance(60_000);
      }
      await sys.api('POST', '/billing/add-credit', {
        token: root,
        body: { orgId, amount: 6, currency: 'USD', reason: 'Refund', type: 'refund' },
      });
    });

    it('pages newest first with a cursor until the end', async () => {
      const amounts: number[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse = await sys.api(
          'GET',
          `/billing/transactions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { token },
        );
        expect(res.status).toBe(200);
        amounts.push(...res.body.items.map((t: { amount: number }) => t.amount));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(amounts).toEqual([6, 5, 4, 3, 2, 1]);
    });

    it('keeps pages stable while new transactions arrive', async () => {
      const first = await sys.api('GET', '/billing/transactions?limit=3', { token });
      await gift(orgId, 1000);
      const second = await sys.api('GET', `/billing/transactions?limit=3&cursor=${first.body.nextCursor}`, { token });
      expect(second.body.items.map((t: { amount: number }) => t.amount)).toEqual([3, 2, 1]);
    });

    it('filters by type', async () => {
      const res = await sys.api('GET', '/billing/transactions?type=refund', { token });
      expect(res.body.items.map((t: { type: string; amount: number }) => [t.type, t.amount])).toEqual([['refund', 6]]);
    });

    it('filters by time range: from inclusive, to exclusive', async () => {
      const gifts: { amount: number; createdAt: number }[] = (
        await sys.api('GET', '/billing/transactions?type=gift', { token })
      ).body.items;
      const [from, to] = [gifts.find((t) => t.amount === 2)!.createdAt, gifts.find((t) => t.amount === 4)!.createdAt];
      const res = await sys.api('GET', `/billing/transactions?type=gift&from=${from}&to=${to}`, { token });
      const inRange = gifts.filter((t) => t.createdAt >= from && t.createdAt < to).map((t) => t.amount);
      expect(res.body.items.map((t: { amount: number }) => t.amount)).toEqual(inRange);
      if (!sys.separateProcesses) expect(inRange).toEqual([3, 2]);
    });

    it.each([
      ['a page size over the maximum', 'limit=1000'],
      ['an unknown type', 'type=bonus'],
      ['a range that ends before it starts', 'from=200&to=100'],
      ['a non-numeric time', 'from=yesterday'],
      ['a forged cursor', 'cursor=not-a-cursor'],
      ['an unknown parameter', 'sort=asc'],
    ])('refuses %s with 400', async (_case, query) => {
      const res = await sys.api('GET', `/billing/transactions?${query}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('billing.credits.debit (System, NATS only)', () => {
    it('debits by reference, and a retry answers the first result without debiting again', async () => {
      const orgId = await newOrg();
      await gift(orgId, 1000);
      const body = { orgId, reference: 'sub_1:2026-11', amount: 400, currency: 'USD', reason: 'Pro plan, November' };
      const first = await debit(body);
      expect(first).toEqual({
        ok: true,
        data: {
          transactionId: expect.stringMatching(/^txn_/),
          reference: 'sub_1:2026-11',
          amount: 400,
          currency: 'USD',
          balance: 600,
        },
      });
      expect(await debit(body)).toEqual(first);
      expect(await balanceOf(orgId)).toBe(600);
      const list = await sys.api('GET', '/billing/transactions?type=debit', { token: root, orgid: orgId });
      expect(list.body.items).toEqual([
        expect.objectContaining({
          type: 'debit',
          reference: 'sub_1:2026-11',
          reason: 'Pro plan, November',
          createdBy: 'subscriptions',
          balanceAfter: 600,
        }),
      ]);
    });

    it('refuses the same reference for a different amount with IDEMPOTENCY_KEY_REUSED', async () => {
      const orgId = await newOrg();
      await gift(orgId, 1000);
      await debit({ orgId, reference: 'r-1', amount: 100, currency: 'USD', reason: 'x' });
      const res = await debit({ orgId, reference: 'r-1', amount: 200, currency: 'USD', reason: 'x' });
      expect(res).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
      expect(await balanceOf(orgId)).toBe(900);
    });

    it('fails cleanly when the balance does not cover it, and publishes billing.debit_declined', async () => {
      const orgId = await newOrg();
      await gift(orgId, 100);
      const res = await debit({ orgId, reference: 'too-much', amount: 101, currency: 'USD', reason: 'Renewal' });
      expect(res).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_BALANCE' } });
      expect(await balanceOf(orgId)).toBe(100);
      expect(await sys.db('billing')('transactions').where({ org_id: orgId, type: 'debit' })).toHaveLength(0);
      const [declined] = await sys
        .db('billing')('outbox')
        .where({ subject: 'billing.debit_declined' })
        .whereRaw("envelope->>'orgId' = ?", [orgId]);
      expect(declined.envelope.data).toEqual({
        orgId,
        reference: 'too-much',
        amount: 101,
        currency: 'USD',
        balance: 100,
        declinedAt: expect.any(Number),
      });
      // Nothing was recorded under the reference: once the balance covers it, the same reference debits.
      await gift(orgId, 1);
      expect(
        await debit({ orgId, reference: 'too-much', amount: 101, currency: 'USD', reason: 'Renewal' }),
      ).toMatchObject({ ok: true, data: { balance: 0 } });
    });

    it('refuses another currency and a caller without the System role', async () => {
      const orgId = await newOrg();
      expect(await debit({ orgId, reference: 'eur', amount: 1, currency: 'EUR', reason: 'x' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
      const admin = { sub: 'someone', orgId, roles: ['ConfigAdmin' as const] };
      expect(await debit({ orgId, reference: 'a', amount: 1, currency: 'USD', reason: 'x' }, admin)).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      expect(await debit({ orgId, reference: 'a', amount: -5, currency: 'USD', reason: 'x' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    });

    it('is not reachable over HTTP', async () => {
      const res = await sys.api('POST', '/billing/internal/debit', {
        token: await sys.token({ orgId: sys.config.ROOT_ORG_ID, roles: ['System'] }),
        body: {},
      });
      expect(res.status).toBe(404);
    });

    it('never overdraws under 200 concurrent debits that together exceed the balance', async () => {
      const orgId = await newOrg();
      await gift(orgId, 10_000);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          debit({ orgId, reference: `usage-${i}`, amount: 73, currency: 'USD', reason: 'Usage' }),
        ),
      );
      const succeeded = results.filter((r) => r.ok).length;
      expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(
        Array(200 - succeeded).fill('INSUFFICIENT_BALANCE'),
      );
      expect(succeeded).toBe(Math.floor(10_000 / 73));
      expect(await balanceOf(orgId)).toBe(10_000 - succeeded * 73);
      await expectLedgerExplainsBalance(orgId);
    });

    it('debits once when 30 debits with one reference run concurrently', async () => {
      const orgId = await newOrg();
      await gift(orgId, 1000);
      const results = await Promise.all(
        Array.from({ length: 30 }, () => debit({ orgId, reference: 'once', amount: 10, currency: 'USD', reason: 'x' })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(new Set(results.map((r) => r.ok && (r.data as { transactionId: string }).transactionId)).size).toBe(1);
      expect(await balanceOf(orgId)).toBe(990);
    });
  });

  describe('ledger integrity', () => {
    it('writes billing.balance_changed with the delta for every balance change', async () => {
      const orgId = await newOrg();
      await gift(orgId, 500);
      await debit({ orgId, reference: 'evt', amount: 200, currency: 'USD', reason: 'x' });
      const events = await sys
        .db('billing')('outbox')
        .where({ subject: 'billing.balance_changed' })
        .whereRaw("envelope->>'orgId' = ?", [orgId])
        .orderBy('seq');
      expect(
        events.map((e) => [e.envelope.data.transactionType, e.envelope.data.delta, e.envelope.data.balance]),
      ).toEqual([
        ['gift', 500, 500],
        ['debit', -200, 300],
      ]);
    });

    it('refuses to change or delete a ledger entry, and a balance below zero, at the database', async () => {
      const orgId = await newOrg();
      await gift(orgId, 5);
      const db = sys.db('billing');
      await expect(db('ledger_entries').where({ org_id: orgId }).update({ delta: 500 })).rejects.toThrow(/immutable/);
      await expect(db('ledger_entries').where({ org_id: orgId }).delete()).rejects.toThrow(/immutable/);
      await expect(db('balances').where({ org_id: orgId }).update({ balance: -1 })).rejects.toThrow(
        /balances_never_negative/,
      );
      await expectLedgerExplainsBalance(orgId);
    });

    it('keeps every org’s balance equal to the sum of its ledger entries', async () => {
      const orgs: { org_id: string }[] = await sys.db('billing')('balances').select('org_id');
      for (const { org_id } of orgs) await expectLedgerExplainsBalance(org_id);
    });
  });
});

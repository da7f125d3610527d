import { newId, OrgDeletedEvent, RpcRequest } from '@org-mgmt/contracts';
import { RpcClient } from '@org-mgmt/runtime';
import { eventually, startTestSystem, StripeFake, TestSystem, signedRpcClient } from '@org-mgmt/testing';
import { connect } from 'nats';

/** org.deleted closes the org's ledger: no money moves afterwards, and a late Stripe payment is kept for refund. */
describe('ledger closure on org.deleted', () => {
  let sys: TestSystem;
  let fake: StripeFake;
  let rpc: RpcClient;
  let root: string;

  beforeAll(async () => {
    fake = await StripeFake.start();
    sys = await startTestSystem({ env: fake.env() });
    root = await sys.rootToken();
    rpc = await signedRpcClient(sys.env, 15_000);
  });
  afterAll(async () => {
    await rpc?.close();
    await sys?.close();
    await fake?.close();
  });

  const balanceOf = async (orgId: string) =>
    (await sys.api('GET', '/billing/balance', { token: root, orgid: orgId })).body;
  const transactionsOf = async (orgId: string) =>
    (await sys.api('GET', '/billing/transactions', { token: root, orgid: orgId })).body.items;
  const gift = (orgId: string, amount = 5000) =>
    sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId, amount, currency: 'USD', reason: 'Welcome' },
    });
  const buy = (orgId: string) =>
    sys.api('POST', '/billing/buy-credits', {
      token: root,
      orgid: orgId,
      body: { amount: 2500, currency: 'USD', gateway: 'stripe', paymentMethodId: 'pm_card_visa' },
    });
  const buyAddon = (orgId: string, body: Record<string, unknown>) =>
    sys.api('POST', '/services/purchase', {
      token: root,
      orgid: orgId,
      body: { serviceName: 'priority-support', ...body },
    });
  const debit = (orgId: string, reference: string) =>
    rpc.request('billing.credits.debit', {
      principal: { sub: 'subscriptions', orgId: sys.config.ROOT_ORG_ID, roles: ['System'] } as RpcRequest['principal'],
      orgId: null,
      requestId: `test-${reference}`,
      body: { orgId, reference, amount: 100, currency: 'USD', reason: 'usage' },
    });
  async function webhook(type: string, paymentIntentId: string) {
    const { payload, signature } = fake.signedEvent(type, paymentIntentId);
    return sys.api('POST', '/billing/webhooks/stripe', {
      rawBody: payload,
      headers: { 'stripe-signature': signature },
    });
  }

  /** An org with 5000 credits, a credit purchase and an add-on purchase started at Stripe, then deleted. */
  async function deletedOrg() {
    const org = await sys.registerOrg();
    expect((await gift(org.id)).status).toBe(201);
    const purchase = (await buy(org.id)).body as { transactionId: string; paymentIntentId: string };
    const addon = (
      await buyAddon(org.id, { paymentSource: 'gateway', gateway: 'stripe', paymentMethodId: 'pm_card_visa' })
    ).body.purchase as { id: string; paymentIntentId: string };
    const deletion = await sys.api('POST', '/delete', {
      token: root,
      body: { orgId: org.id, reason: 'Customer left' },
    });
    expect(deletion.status).toBe(200);
    await eventually(async () => expect((await balanceOf(org.id)).closedAt).toBe(deletion.body.requestedAt));
    return { org, purchase, addon, deletedAt: deletion.body.requestedAt as number };
  }

  it('closes the ledger with who, when and why, and keeps balance and transactions readable to root roles', async () => {
    const { org, deletedAt } = await deletedOrg();
    expect(await balanceOf(org.id)).toEqual({
      orgId: org.id,
      balance: 5000,
      currency: 'USD',
      updatedAt: expect.any(Number),
      closedAt: deletedAt,
    });
    expect(await sys.db('billing')('balances').where({ org_id: org.id }).first()).toMatchObject({
      closed_by: 'root-operator',
      closed_reason: 'Customer left',
    });
    expect((await transactionsOf(org.id)).map((t: { type: string }) => t.type).sort()).toEqual(['gift', 'purchase']);
  });

  it("answers the org's own admin on the gateway's allowlist: balance readable, buy-credits LEDGER_CLOSED, the rest ORG_INACTIVE", async () => {
    const { org, deletedAt } = await deletedOrg();
    const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    expect((await sys.api('GET', '/billing/balance', { token: admin })).body).toMatchObject({
      balance: 5000,
      closedAt: deletedAt,
    });
    const bought = await sys.api('POST', '/billing/buy-credits', {
      token: admin,
      body: { amount: 2500, currency: 'USD', gateway: 'stripe', paymentMethodId: 'pm_card_visa' },
    });
    expect([bought.status, bought.body.error.code]).toEqual([409, 'LEDGER_CLOSED']);
    const listed = await sys.api('GET', '/billing/transactions', { token: admin });
    expect([listed.status, listed.body.error.code]).toEqual([403, 'ORG_INACTIVE']);
  });

  it('refuses every money write with 409 LEDGER_CLOSED and leaves balance and transactions unchanged', async () => {
    const { org } = await deletedOrg();
    const intentsBefore = fake.intents.size;
    const transactionsBefore = await transactionsOf(org.id);
    const refusals = [
      await buy(org.id),
      await gift(org.id),
      await sys.api('POST', '/billing/add-credit', {
        token: root,
        body: { orgId: org.id, amount: 10, currency: 'USD', reason: 'fix', type: 'adjustment' },
      }),
      await buyAddon(org.id, { paymentSource: 'credits' }),
      await buyAddon(org.id, { paymentSource: 'gateway', gateway: 'stripe', paymentMethodId: 'pm_card_visa' }),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'LEDGER_CLOSED',
        details: { orgId: org.id, closedAt: expect.any(Number) },
      });
    }
    const debited = await debit(org.id, `usage-${org.id}`);
    expect(debited).toMatchObject({ ok: false, error: { code: 'LEDGER_CLOSED' } });
    expect((await balanceOf(org.id)).balance).toBe(5000);
    expect(await transactionsOf(org.id)).toEqual(transactionsBefore);
    expect(fake.intents.size).toBe(intentsBefore);
  });

  it('does not credit a credit purchase Stripe confirms after the close: failed, marked for refund, answered with LEDGER_CLOSED', async () => {
    const { org, purchase } = await deletedOrg();
    fake.settle(purchase.paymentIntentId, { status: 'succeeded' });
    const body = {
      paymentIntentId: purchase.paymentIntentId,
      transactionId: purchase.transactionId,
      gateway: 'stripe',
    };
    const first = await sys.api('POST', '/billing/complete-payment', { body });
    expect(first.status).toBe(409);
    expect(first.body.error).toMatchObject({
      code: 'LEDGER_CLOSED',
      details: {
        transaction: { id: purchase.transactionId, status: 'failed', failureReason: 'ledger_closed_refund_due' },
      },
    });
    expect((await webhook('payment_intent.succeeded', purchase.paymentIntentId)).status).toBe(200);
    expect((await sys.api('POST', '/billing/complete-payment', { body })).body.error.code).toBe('LEDGER_CLOSED');
    expect((await balanceOf(org.id)).balance).toBe(5000);
    expect(await sys.db('billing')('ledger_entries').where({ transaction_id: purchase.transactionId })).toHaveLength(0);
    expect(fake.intents.get(purchase.paymentIntentId)).toMatchObject({ status: 'succeeded' });
  });

  it('does not enable an add-on Stripe confirms after the close: failed, marked for refund, no services.purchased', async () => {
    const { org, addon } = await deletedOrg();
    fake.settle(addon.paymentIntentId, { status: 'succeeded' });
    expect((await webhook('payment_intent.succeeded', addon.paymentIntentId)).body).toMatchObject({ handled: true });
    const res = await sys.api('POST', '/services/complete-payment', {
      token: root,
      orgid: org.id,
      body: { purchaseId: addon.id },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LEDGER_CLOSED');
    expect(await sys.db('billing')('addon_purchases').where({ id: addon.id }).first()).toMatchObject({
      status: 'failed',
      failure_reason: 'ledger_closed_refund_due',
    });
    const subjects = (await sys.db('billing')('outbox').whereRaw("envelope->>'orgId' = ?", [org.id])).map(
      (r) => r.subject,
    );
    expect(subjects).toContain('services.purchase_failed');
    expect(subjects).not.toContain('services.purchased');
  });

  it('keeps the first closure when org.deleted is delivered again', async () => {
    const { org, deletedAt } = await deletedOrg();
    const [stored] = await sys
      .db('orgs')('outbox')
      .where({ subject: OrgDeletedEvent.subject })
      .whereRaw("envelope->>'orgId' = ?", [org.id]);
    const nc = await connect({ servers: sys.env.NATS_URL });
    const subject = `${sys.env.NATS_SUBJECT_PREFIX}${OrgDeletedEvent.subject}`;
    // the same event past JetStream's de-duplication (a new message id), and another deletion event with a new id
    await nc.jetstream().publish(subject, JSON.stringify(stored.envelope), { msgID: newId('event') });
    const later = {
      ...stored.envelope,
      id: newId('event'),
      data: { ...stored.envelope.data, reason: 'Again', deletedAt: deletedAt + 1 },
    };
    await nc.jetstream().publish(subject, JSON.stringify(later), { msgID: later.id });
    await nc.close();
    await eventually(async () => {
      expect(
        await sys.db('billing')('processed_events').where({ consumer: 'billing-ledger-closure', event_id: later.id }),
      ).toHaveLength(1);
    });
    expect(
      await sys
        .db('billing')('processed_events')
        .where({ consumer: 'billing-ledger-closure', event_id: stored.envelope.id }),
    ).toHaveLength(1);
    expect(await sys.db('billing')('balances').where({ org_id: org.id }).first()).toMatchObject({
      closed_at: deletedAt,
      closed_reason: 'Customer left',
      balance: 5000,
    });
  });
});

import { AppError, PAYMENT_INTENT_ID_PATTERN } from '@org-mgmt/contracts';
import { ConfigError, loadConfig } from '@org-mgmt/runtime';
import { StripeFake } from '@org-mgmt/testing';
import { createPaymentGateway, PaymentGateway, SandboxPaymentGateway, StripePaymentGateway } from '../src';

const request = {
  amount: 2500,
  currency: 'USD',
  orgId: 'org_acme',
  purpose: 'credits' as const,
  metadata: { transactionId: 'txn_1' },
};

describe('stripe payment gateway against the Stripe HTTP fake, through the official SDK', () => {
  let fake: StripeFake;
  let gateway: PaymentGateway;

  beforeAll(async () => {
    fake = await StripeFake.start();
    gateway = createPaymentGateway(loadConfig({ NODE_ENV: 'test', ...fake.env() }));
  });
  afterAll(() => fake.close());

  it('creates a PaymentIntent with our metadata and reads it back pending', async () => {
    const created = await gateway.createPayment({ ...request, paymentMethodId: 'pm_card_visa' });
    expect(created).toEqual({
      paymentId: expect.stringMatching(/^pi_/),
      clientSecret: expect.stringContaining('_secret_'),
      state: 'pending',
    });
    expect(fake.intents.get(created.paymentId)).toMatchObject({
      amount: 2500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
    });
    expect(await gateway.retrievePayment(created.paymentId)).toEqual({
      paymentId: created.paymentId,
      state: 'pending',
      amount: 2500,
      amountReceived: 0,
      currency: 'USD',
      metadata: { transactionId: 'txn_1', orgId: 'org_acme', purpose: 'credits' },
      failureReason: null,
    });
  });

  it.each([
    ['succeeded', { status: 'succeeded' as const }, { state: 'succeeded', amountReceived: 2500, failureReason: null }],
    [
      'a partial amount',
      { status: 'succeeded' as const, amountReceived: 100 },
      { state: 'succeeded', amountReceived: 100 },
    ],
    [
      'declined',
      { status: 'declined' as const },
      { state: 'failed', amountReceived: 0, failureReason: 'generic_decline' },
    ],
    ['canceled', { status: 'canceled' as const }, { state: 'failed', failureReason: 'canceled: abandoned' }],
    ['processing', { status: 'processing' as const }, { state: 'pending' }],
  ])('reports an intent that was %s as the provider says', async (_case, outcome, expected) => {
    const { paymentId } = await gateway.createPayment(request);
    fake.settle(paymentId, outcome);
    expect(await gateway.retrievePayment(paymentId)).toMatchObject(expected);
  });

  it('cancels a declined intent so it cannot be paid later, and leaves a succeeded one alone', async () => {
    const declined = await gateway.createPayment(request);
    fake.settle(declined.paymentId, { status: 'declined' });
    expect(await gateway.cancelPayment(declined.paymentId)).toMatchObject({
      state: 'failed',
      failureReason: 'canceled: requested_by_customer',
    });
    expect(fake.intents.get(declined.paymentId)!.status).toBe('canceled');
    const paid = await gateway.createPayment(request);
    fake.settle(paid.paymentId, { status: 'succeeded' });
    expect(await gateway.cancelPayment(paid.paymentId)).toMatchObject({ state: 'succeeded', amountReceived: 2500 });
  });

  it('answers null for an intent Stripe does not know', async () => {
    expect(await gateway.retrievePayment('pi_unknown')).toBeNull();
  });

  it('makes one intent for one idempotency key', async () => {
    const first = await gateway.createPayment({ ...request, idempotencyKey: 'key-1' });
    const again = await gateway.createPayment({ ...request, idempotencyKey: 'key-1' });
    expect(again.paymentId).toBe(first.paymentId);
  });

  it('turns a request Stripe refuses into UNPROCESSABLE', async () => {
    await expect(gateway.createPayment({ ...request, amount: 0 })).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
  });

  it('verifies a webhook signed by the SDK test helper and parses its intent', async () => {
    const { paymentId } = await gateway.createPayment(request);
    const { payload, signature } = fake.signedEvent('payment_intent.succeeded', paymentId);
    expect(gateway.parseWebhook(payload, signature)).toMatchObject({
      type: 'payment_intent.succeeded',
      paymentId,
      metadata: { transactionId: 'txn_1', orgId: 'org_acme' },
    });
  });

  it.each([
    ['a wrong secret', (p: string) => fake.signedEvent('payment_intent.succeeded', p, 'whsec_wrong')],
    [
      'a tampered body',
      (p: string) => ({ ...fake.signedEvent('payment_intent.succeeded', p), payload: '{"id":"evt_x"}' }),
    ],
    ['no signature', (p: string) => ({ ...fake.signedEvent('payment_intent.succeeded', p), signature: '' })],
  ])('refuses a webhook with %s as VALIDATION_FAILED', async (_case, make) => {
    const { paymentId } = await gateway.createPayment(request);
    const { payload, signature } = make(paymentId);
    expect(() => gateway.parseWebhook(payload, signature)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('answers SERVICE_UNAVAILABLE when Stripe cannot be reached', async () => {
    const unreachable = new StripePaymentGateway({
      secretKey: 'sk_test_x',
      host: '127.0.0.1',
      port: 1,
      protocol: 'http',
      timeoutMs: 1000,
    });
    await expect(unreachable.retrievePayment('pi_1')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('sandbox payment gateway', () => {
  const sandbox = new SandboxPaymentGateway('development');

  it('succeeds with pm_card_visa, receiving the whole amount', async () => {
    const created = await sandbox.createPayment({ ...request, paymentMethodId: 'pm_card_visa' });
    expect(created.state).toBe('succeeded');
    expect(await sandbox.retrievePayment(created.paymentId)).toMatchObject({
      state: 'succeeded',
      amountReceived: 2500,
      currency: 'USD',
      metadata: { transactionId: 'txn_1', orgId: 'org_acme' },
    });
  });

  it('declines pm_card_chargeDeclined, receiving nothing', async () => {
    const created = await sandbox.createPayment({ ...request, paymentMethodId: 'pm_card_chargeDeclined' });
    expect(await sandbox.retrievePayment(created.paymentId)).toMatchObject({
      state: 'failed',
      amountReceived: 0,
      failureReason: 'generic_decline',
    });
  });

  it('cancels a declined payment and leaves a succeeded one alone', async () => {
    const declined = await sandbox.createPayment({ ...request, paymentMethodId: 'pm_card_chargeDeclined' });
    expect(await sandbox.cancelPayment(declined.paymentId)).toMatchObject({ state: 'failed' });
    const paid = await sandbox.createPayment({ ...request, paymentMethodId: 'pm_card_visa' });
    expect(await sandbox.cancelPayment(paid.paymentId)).toMatchObject({ state: 'succeeded' });
  });

  it('refuses a payment method that is not a sandbox test card', async () => {
    await expect(sandbox.createPayment({ ...request, paymentMethodId: 'pm_abc' })).rejects.toBeInstanceOf(AppError);
    await expect(sandbox.createPayment({ ...request, paymentMethodId: 'toString' })).rejects.toBeInstanceOf(AppError);
  });

  it('keeps no state: a restarted process (another instance) retrieves the payment, and an unknown id is null', async () => {
    const created = await sandbox.createPayment({ ...request, paymentMethodId: 'pm_card_visa' });
    const restarted = new SandboxPaymentGateway('development');
    expect(await restarted.retrievePayment(created.paymentId)).toEqual(
      await sandbox.retrievePayment(created.paymentId),
    );
    expect(await restarted.retrievePayment('pi_sandbox_zzzz')).toBeNull();
    expect(await restarted.retrievePayment('pi_3abc')).toBeNull();
  });

  it('makes one payment per idempotency key, distinct payments without one, ids inside the API pi_ format', async () => {
    const longest = {
      ...request,
      amount: 100_000_000,
      orgId: `org_${'a'.repeat(64)}`,
      purpose: 'subscription' as const,
      metadata: { subscriptionPaymentId: 'spay_abcdefghijklmnopqrst' },
      paymentMethodId: 'pm_card_chargeDeclined',
    };
    const [a, b] = [
      await sandbox.createPayment({ ...longest, idempotencyKey: 'k1' }),
      await sandbox.createPayment({ ...longest, idempotencyKey: 'k1' }),
    ];
    expect(a.paymentId).toBe(b.paymentId);
    expect((await sandbox.createPayment(longest)).paymentId).not.toBe((await sandbox.createPayment(longest)).paymentId);
    expect(a.paymentId).toMatch(PAYMENT_INTENT_ID_PATTERN);
  });

  it('is refused in production, by the config and by the gateway itself', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PAYMENT_GATEWAY: 'sandbox', JWT_PUBLIC_KEY: 'k' })).toThrow(
      ConfigError,
    );
    expect(() => new SandboxPaymentGateway('production')).toThrow(AppError);
  });

  it('is the default outside production; stripe needs its secret key', () => {
    expect(createPaymentGateway(loadConfig({ NODE_ENV: 'development' })).name).toBe('sandbox');
    expect(() => loadConfig({ PAYMENT_GATEWAY: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
  });
});

import { EventEnvelope, Organization } from '@org-mgmt/contracts';
import { createLogger, EventSubscription, JetStreamEventBus } from '@org-mgmt/runtime';
import { eventually, StripeFake, startTestSystem, TestSystem } from '@org-mgmt/testing';

const AI = 'premium-ai-models';
const SUBJECTS = ['services.agreement_accepted', 'services.purchased', 'services.agreement_revoked'];

/**
 * DESIGN.md scenario 5, end to end through the gateway with Stripe (HTTP fake) and a subscriber on
 * JetStream: read pricing and terms, accept them, purchase, revoke, and the add-on stops being available.
 */
describe('premium add-on: pricing, acceptance, purchase, revocation', () => {
  let sys: TestSystem;
  let stripe: StripeFake;
  let bus: JetStreamEventBus;
  const subscriptions: EventSubscription[] = [];
  const received: EventEnvelope[] = [];
  let org: Organization;
  let admin: string;

  beforeAll(async () => {
    stripe = await StripeFake.start();
    sys = await startTestSystem({ env: stripe.env() });
    bus = await JetStreamEventBus.connect(
      sys.env.NATS_URL,
      sys.env.NATS_SUBJECT_PREFIX,
      createLogger('warn', 'scenario-subscriber'),
    );
    for (const subject of SUBJECTS) {
      subscriptions.push(
        await bus.subscribe({
          durable: 'addon-subscriber',
          subject,
          handler: async (event) => void received.push(event),
        }),
      );
    }
    org = await sys.registerOrg('Premium Models Inc');
    admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'], sub: 'user_ada', email: 'ada@premium.example' });
  });
  afterAll(async () => {
    for (const subscription of subscriptions) await subscription.stop();
    await bus?.close();
    await sys?.close();
    await stripe?.close();
  });

  const eventsOf = (subject: string) => received.filter((e) => e.type === subject && e.orgId === org.id);

  it('carries the whole story, and subscribers hear of each step once', async () => {
    const pricing = await sys.api('GET', `/services/pricing/${AI}`, { token: admin });
    expect(pricing.body).toMatchObject({
      requiresAgreement: true,
      price: { amount: 9900, currency: 'USD', interval: 'month' },
    });
    const { version } = pricing.body.terms;

    const accepted = await sys.api('POST', `/services/agreement/accept/${AI}`, {
      token: admin,
      body: { termsVersion: version },
      headers: { 'user-agent': 'Mozilla/5.0 (Scenario)' },
    });
    expect(accepted.body.history[0]).toMatchObject({
      action: 'accepted',
      termsVersion: version,
      actor: 'user_ada',
      actorEmail: 'ada@premium.example',
      ip: expect.any(String),
      userAgent: 'Mozilla/5.0 (Scenario)',
      recordedAt: expect.any(Number),
    });

    const started = await sys.api('POST', '/services/purchase', {
      token: admin,
      body: { serviceName: AI, paymentSource: 'gateway', gateway: 'stripe', paymentMethodId: 'pm_card_visa' },
      headers: { 'idempotency-key': 'scenario-5-purchase' },
    });
    expect(started.status).toBe(201);
    stripe.settle(started.body.purchase.paymentIntentId, { status: 'succeeded' });
    const completed = await sys.api('POST', '/services/complete-payment', {
      token: admin,
      body: { purchaseId: started.body.purchase.id },
    });
    expect(completed.body).toMatchObject({ status: 'active', termsVersion: version, periodEnd: expect.any(Number) });

    const revoked = await sys.api('POST', `/services/agreement/revoke/${AI}`, {
      token: admin,
      body: { reason: 'Switching providers' },
    });
    expect(revoked.body.status).toBe('revoked');
    expect((await sys.api('GET', '/services/purchased', { token: admin })).body.items).toEqual([
      expect.objectContaining({ id: started.body.purchase.id, status: 'suspended' }),
    ]);
    const again = await sys.api('POST', '/services/purchase', {
      token: admin,
      body: { serviceName: AI, paymentSource: 'gateway', paymentMethodId: 'pm_card_visa' },
    });
    expect(again.body.error.code).toBe('AGREEMENT_REQUIRED');

    await eventually(async () => {
      expect(eventsOf('services.agreement_accepted').map((e) => e.data)).toEqual([
        expect.objectContaining({ serviceName: AI, termsVersion: version, actor: 'user_ada' }),
      ]);
      expect(eventsOf('services.purchased').map((e) => e.data)).toEqual([
        expect.objectContaining({ purchaseId: started.body.purchase.id, amount: 9900 }),
      ]);
      expect(eventsOf('services.agreement_revoked').map((e) => e.data)).toEqual([
        expect.objectContaining({ serviceName: AI, reason: 'Switching providers' }),
      ]);
    });
  });
});

import {
  ALL_ENDPOINTS,
  EndpointDef,
  HTTP_ENDPOINTS,
  newId,
  Organization,
  reachableWhenBlocked,
  SubscriptionPaymentFailedEvent,
} from '@org-mgmt/contracts';
import { createLogger, JetStreamEventBus, ManualClock } from '@org-mgmt/runtime';
import { eventually, expectedOutcome, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { connect, NatsConnection } from 'nats';

/** A concrete path for an endpoint's route pattern. */
function pathOf(def: EndpointDef, orgId: string): string {
  return def.path
    .replace('{/:orgId}', '')
    .replace(':orgId', orgId)
    .replace(':orgName', 'Acme')
    .replace(':serviceName', 'premium-ai');
}

describe('gateway enforcement of the cached org state', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23));
  let sys: TestSystem;
  let root: string;

  beforeAll(async () => {
    sys = await startTestSystem({ clock });
    root = await sys.rootToken();
  });
  afterAll(() => sys?.close());

  async function suspendedOrg(): Promise<Organization> {
    const org = await sys.registerOrg();
    const res = await sys.api('POST', '/service-status/suspend', {
      token: root,
      orgid: org.id,
      body: { suspensionType: 'MANUAL', reason: 'Unpaid invoice' },
    });
    expect(res.status).toBe(200);
    return org;
  }

  it('lets a blocked org see its state and pay its way out, and drops the cached state after status and plan writes', () => {
    const flagged = (flag: 'allowedWhenBlocked' | 'writesOrgState') =>
      ALL_ENDPOINTS.filter((def) => def[flag]).map((def) => def.pattern);
    expect(flagged('allowedWhenBlocked').sort()).toEqual([
      'billing.balance.get',
      'billing.credits.buy',
      'billing.payment.complete',
      'orgs.profile.get',
      'subscriptions.checkout.complete',
      'subscriptions.payment.complete',
      'subscriptions.subscription.current',
    ]);
    expect(flagged('writesOrgState').sort()).toEqual([
      'orgs.account.cancel',
      'orgs.account.reactivate',
      'orgs.org.delete',
      'orgs.profile.update',
      'orgs.status.lift',
      'orgs.status.suspend',
      'subscriptions.checkout.complete',
      'subscriptions.payment.complete',
      'subscriptions.subscription.admin-update',
      'subscriptions.subscription.cancel',
      'subscriptions.subscription.create',
      'subscriptions.subscription.upgrade',
    ]);
  });

  it('answers 403 ORG_SUSPENDED on every endpoint outside the allowlist, and lets the allowlist and public endpoints through', async () => {
    const org = await suspendedOrg();
    const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    const outcomes: Record<string, string> = {};
    for (const def of HTTP_ENDPOINTS) {
      if (expectedOutcome(def.access, 'ConfigAdmin', 'own') !== 'allowed') continue;
      const res = await sys.api(def.method, pathOf(def, org.id), {
        token: admin,
        body: def.method === 'GET' ? undefined : {},
      });
      outcomes[`${def.method} ${def.path}`] = res.body?.error?.code === 'ORG_SUSPENDED' ? 'blocked' : 'passed';
    }
    const expected = Object.fromEntries(
      HTTP_ENDPOINTS.filter((def) => expectedOutcome(def.access, 'ConfigAdmin', 'own') === 'allowed').map((def) => [
        `${def.method} ${def.path}`,
        reachableWhenBlocked(def) ? 'passed' : 'blocked',
      ]),
    );
    expect(outcomes).toEqual(expected);
    expect(outcomes['GET /profile{/:orgId}']).toBe('passed');
    expect(outcomes['POST /profile/update']).toBe('blocked');
  });

  it('names the suspension in the 403 envelope', async () => {
    const org = await suspendedOrg();
    const member = await sys.token({ orgId: org.id });
    const res = await sys.api('GET', '/profile/addresses', { token: member });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'ORG_SUSPENDED',
      details: { serviceStatus: 'SUSPENDED', suspensionType: 'MANUAL' },
    });
  });

  it('does not block root-org operators acting on a suspended org, so they can lift it', async () => {
    const org = await suspendedOrg();
    const member = await sys.token({ orgId: org.id });
    expect((await sys.api('GET', '/profile/addresses', { token: root, orgid: org.id })).status).toBe(200);
    const lifted = await sys.api('POST', '/service-status/lift', {
      token: root,
      orgid: org.id,
      body: { reason: 'Paid' },
    });
    expect(lifted.status).toBe(200);
    expect((await sys.api('GET', '/profile/addresses', { token: member })).status).toBe(200);
  });

  it('blocks a RootAdmin token of a customer org like any member of it', async () => {
    const org = await suspendedOrg();
    const fake = await sys.token({ orgId: org.id, roles: ['RootAdmin'] });
    expect((await sys.api('GET', '/profile/addresses', { token: fake })).body.error.code).toBe('ORG_SUSPENDED');
  });

  it('drops a cached state when org.status_changed arrives over JetStream', async () => {
    const org = await sys.registerOrg();
    const member = await sys.token({ orgId: org.id });
    expect((await sys.api('GET', '/profile/addresses', { token: member })).status).toBe(200);
    const publisher = await JetStreamEventBus.connect(
      sys.env.NATS_URL,
      sys.env.NATS_SUBJECT_PREFIX,
      createLogger('warn', 'test'),
    );
    try {
      const data = {
        orgId: org.id,
        subscriptionId: 'sub_1',
        plan: 'pro',
        amount: 100,
        currency: 'USD',
        reason: 'card_declined',
        attemptedAt: 1,
      };
      await publisher.publish({
        id: newId('event'),
        type: SubscriptionPaymentFailedEvent.subject,
        version: 1,
        occurredAt: Date.now(),
        orgId: org.id,
        data,
      });
    } finally {
      await publisher.close();
    }
    await eventually(async () => {
      const res = await sys.api('GET', '/profile/addresses', { token: member });
      expect(res.body.error).toMatchObject({ code: 'ORG_SUSPENDED', details: { suspensionType: 'PAYMENT_FAILED' } });
    });
  });

  it('reads the cache, not the database, per request; the TTL bounds a missed invalidation', async () => {
    const org = await sys.registerOrg();
    const member = await sys.token({ orgId: org.id });
    // Let registration's org.created reach the gateway first: its invalidation would otherwise race the test.
    await eventually(async () => {
      expect(
        await sys
          .db('orgs')('outbox')
          .where({ subject: 'org.created' })
          .whereNull('published_at')
          .whereRaw("envelope->>'orgId' = ?", [org.id]),
      ).toHaveLength(0);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await sys.api('GET', '/profile/addresses', { token: member })).status).toBe(200);
    // Behind the service's back: no event, so only the TTL can bring the gateway up to date.
    await sys.db('orgs')('organizations').where({ id: org.id }).update({ service_status: 'INACTIVE' });
    expect((await sys.api('GET', '/profile/addresses', { token: member })).status).toBe(200);
    clock.advance(sys.config.ORG_STATE_CACHE_TTL_MS + 1);
    const res = await sys.api('GET', '/profile/addresses', { token: member });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ORG_INACTIVE');
  });

  describe('the orgState in the RPC envelope', () => {
    let nc: NatsConnection;
    beforeAll(async () => {
      nc = await connect({ servers: sys.env.NATS_URL });
    });
    afterAll(() => nc?.close());

    it('carries the cached status and features of the org acted on', async () => {
      const org = await sys.registerOrg();
      await sys.api('POST', '/profile/update', {
        token: root,
        orgid: org.id,
        body: { features: { automation: true } },
      });
      const seen = nc.subscribe(`${sys.env.NATS_SUBJECT_PREFIX}orgs.address.list`, { max: 1 });
      const member = await sys.token({ orgId: org.id });
      expect((await sys.api('GET', '/profile/addresses', { token: member })).status).toBe(200);
      for await (const msg of seen) {
        expect(JSON.parse(msg.string()).data.orgState).toEqual({
          orgId: org.id,
          serviceStatus: 'ACTIVE',
          suspensionType: null,
          features: ['automation'],
        });
      }
    });
  });
});

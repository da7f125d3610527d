import { Organization } from '@org-mgmt/contracts';
import { ManualClock } from '@org-mgmt/runtime';
import { RenewalWorker } from '@org-mgmt/subscriptions';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { connect, NatsConnection } from 'nats';

const JAN_1 = Date.UTC(2026, 0, 1);
const FEB_1 = Date.UTC(2026, 1, 1);

/**
 * After a plan change answers, the very next request sees the new flags: in the profile, and in the
 * org state the gateway sends with every RPC. No waiting anywhere: each check is the next request.
 */
describe('read your writes: plan changes and the effective flags', () => {
  const clock = new ManualClock(JAN_1);
  let sys: TestSystem;
  let root: string;
  let nc: NatsConnection;

  beforeAll(async () => {
    sys = await startTestSystem({ clock, env: { SUBSCRIPTION_WORKER_INTERVAL_MS: '0' } });
    root = await sys.rootToken();
    nc = await connect({ servers: sys.env.NATS_URL });
  });
  afterAll(async () => {
    await nc?.close();
    await sys?.close();
  });

  async function profileFeatures(token: string): Promise<string[]> {
    const res = await sys.api('GET', '/profile', { token });
    expect(res.status).toBe(200);
    return res.body.company.features;
  }

  /** The features the gateway sends to the service with an ordinary request of the org (its cached org state). */
  async function gatewayFeatures(token: string): Promise<string[]> {
    const seen = nc.subscribe(`${sys.env.NATS_SUBJECT_PREFIX}orgs.address.list`, { max: 1 });
    await nc.flush();
    expect((await sys.api('GET', '/profile/addresses', { token })).status).toBe(200);
    for await (const msg of seen) return JSON.parse(msg.string()).data.orgState.features;
    throw new Error('no request seen');
  }

  async function withCredits(amount: number): Promise<{ org: Organization; admin: string }> {
    const org = await sys.registerOrg();
    await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount, currency: 'USD', reason: 'test credits' },
    });
    return { org, admin: await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] }) };
  }

  it('shows automation on the very next request after an upgrade answers, every time', async () => {
    clock.set(JAN_1 + 10 * 86_400_000);
    for (let i = 0; i < 12; i++) {
      const { admin } = await withCredits(5000);
      expect(
        (
          await sys.api('POST', '/subscription/create', {
            token: admin,
            body: { plan: 'basic', payment: { method: 'credits' } },
          })
        ).status,
      ).toBe(201);
      expect(await gatewayFeatures(admin)).not.toContain('automation');
      const upgraded = await sys.api('POST', '/subscription/upgrade', {
        token: admin,
        body: { plan: 'pro', payment: { method: 'credits' } },
      });
      expect(upgraded.status).toBe(200);
      expect(await profileFeatures(admin)).toContain('automation');
      expect(await gatewayFeatures(admin)).toContain('automation');
    }
  });

  it('shows the flags of a free create and of an operator update (plan and overrides) on the next request', async () => {
    for (let i = 0; i < 5; i++) {
      const { org, admin } = await withCredits(0);
      expect(await gatewayFeatures(admin)).toEqual([]);
      expect((await sys.api('POST', '/subscription/create', { token: admin, body: { plan: 'free' } })).status).toBe(
        201,
      );
      const updated = await sys.api('POST', '/subscription/admin/update', {
        token: root,
        orgid: org.id,
        body: { plan: 'team', features: { sso: true, analytics: false }, reason: 'pilot' },
      });
      expect(updated.status).toBe(200);
      const features = await gatewayFeatures(admin);
      expect(features).toEqual(expect.arrayContaining(['automation', 'audit-log', 'sso']));
      expect(features).not.toContain('analytics');
      expect(await profileFeatures(admin)).toEqual(features);
    }
  });

  it('drops the flags on the next request after an immediate cancel', async () => {
    const { admin } = await withCredits(5000);
    await sys.api('POST', '/subscription/create', {
      token: admin,
      body: { plan: 'pro', payment: { method: 'credits' } },
    });
    expect(await gatewayFeatures(admin)).toContain('automation');
    expect((await sys.api('POST', '/subscription/cancel', { token: admin, body: { immediate: true } })).status).toBe(
      200,
    );
    expect(await gatewayFeatures(admin)).toEqual([]);
    expect(await profileFeatures(admin)).toEqual([]);
  });

  it('starts the plan an org registers with before org-register answers', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await sys.api('POST', '/org-register', {
        token: root,
        body: {
          companyName: `Planned ${i} ${Date.now()}`,
          ownerEmail: `owner-${i}-${Date.now()}@example.com`,
          plan: { planId: 'pro' },
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.features).toContain('automation');
      const member = await sys.token({ orgId: res.body.id });
      expect(await gatewayFeatures(member)).toContain('automation');
      expect((await sys.api('GET', '/subscription/current', { token: member })).body).toMatchObject({
        plan: 'pro',
        status: 'active',
      });
      const changes = await sys.db('subscriptions')('subscription_changes').where({ org_id: res.body.id });
      expect(changes.map((c) => c.change)).toEqual(['created']);
    }
  });

  it('has applied a scheduled downgrade to the profile when the worker pass returns', async () => {
    clock.set(JAN_1);
    const { admin } = await withCredits(5000);
    await sys.api('POST', '/subscription/create', {
      token: admin,
      body: { plan: 'pro', payment: { method: 'credits' } },
    });
    await sys.api('POST', '/subscription/downgrade', { token: admin, body: { plan: 'basic' } });
    expect(await gatewayFeatures(admin)).toContain('automation');
    clock.set(FEB_1);
    await sys.provider('subscriptions', RenewalWorker).runOnce();
    expect(await profileFeatures(admin)).toEqual(['custom-domain', 'email-support']);
  });
});

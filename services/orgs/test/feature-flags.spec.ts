import { EventEnvelope, Organization, OrgUpdatedEvent, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { FeatureFlagsService } from '@org-mgmt/orgs';
import { eventually, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { connect } from 'nats';

const PRO_DEFAULTS = ['analytics', 'automation', 'custom-domain', 'email-support', 'multi-site'];

describe('effective feature flags: plan defaults with per-org overrides', () => {
  let sys: TestSystem;
  let root: string;

  beforeAll(async () => {
    sys = await startTestSystem({ env: { SUBSCRIPTION_WORKER_INTERVAL_MS: '0' } });
    root = await sys.rootToken();
  });
  afterAll(() => sys?.close());

  async function featuresOf(orgId: string): Promise<string[]> {
    return (await sys.api('GET', `/profile/${orgId}`, { token: root })).body.company.features;
  }

  async function adminUpdate(orgId: string, body: Record<string, unknown>) {
    const res = await sys.api('POST', '/subscription/admin/update', {
      token: root,
      orgid: orgId,
      body: { reason: 'test change', ...body },
    });
    expect(res.status).toBe(200);
  }

  async function orgUpdates(orgId: string) {
    const rows = await sys.db('orgs')('outbox').where({ subject: OrgUpdatedEvent.subject }).orderBy('seq');
    return rows.map((r) => r.envelope.data).filter((d) => d.orgId === orgId && d.changed.includes('features'));
  }

  async function onPro(): Promise<Organization> {
    const org = await sys.registerOrg();
    await adminUpdate(org.id, { plan: 'pro' });
    await eventually(async () => expect(await featuresOf(org.id)).toEqual(PRO_DEFAULTS));
    return org;
  }

  it('grants the plan defaults (pro: automation, multi-site, …) once subscription.changed arrives, and says so with org.updated', async () => {
    const org = await sys.registerOrg();
    expect(await featuresOf(org.id)).toEqual([]);
    await adminUpdate(org.id, { plan: 'pro' });
    await eventually(async () => expect(await featuresOf(org.id)).toEqual(PRO_DEFAULTS));
    expect(await orgUpdates(org.id)).toEqual([
      expect.objectContaining({ changed: ['features'], changedBy: 'root-operator' }),
    ]);
    expect(await sys.provider('orgs', FeatureFlagsService).effectiveFlags(org.id)).toEqual(PRO_DEFAULTS);
  });

  it('layers profile/update overrides on the defaults: grant, remove, and drop an override', async () => {
    const org = await onPro();
    let res = await sys.api('POST', '/profile/update', {
      token: root,
      orgid: org.id,
      body: { features: { beta: true, automation: false } },
    });
    expect(res.body.company.features).toEqual(['analytics', 'beta', 'custom-domain', 'email-support', 'multi-site']);
    expect(res.body.company.featureOverrides).toEqual({ beta: true, automation: false });
    res = await sys.api('POST', '/profile/update', {
      token: root,
      orgid: org.id,
      body: { features: { automation: null } },
    });
    expect(res.body.company.features).toEqual([...PRO_DEFAULTS, 'beta'].sort());
  });

  it('keeps overrides across plan changes: a removed default stays removed on the new plan', async () => {
    const org = await onPro();
    await sys.api('POST', '/profile/update', {
      token: root,
      orgid: org.id,
      body: { features: { 'multi-site': false } },
    });
    await adminUpdate(org.id, { plan: 'team' });
    await eventually(async () => expect(await featuresOf(org.id)).toContain('audit-log'));
    expect(await featuresOf(org.id)).not.toContain('multi-site');
  });

  it('applies overrides sent through subscription/admin/update', async () => {
    const org = await onPro();
    await adminUpdate(org.id, { features: { automation: false, sso: true } });
    await eventually(async () =>
      expect(await featuresOf(org.id)).toEqual(['analytics', 'custom-domain', 'email-support', 'multi-site', 'sso']),
    );
    const profile = (await sys.api('GET', `/profile/${org.id}`, { token: root })).body.company;
    expect(profile.featureOverrides).toEqual({ automation: false, sso: true });
  });

  it('drops the plan defaults when the subscription is cancelled, keeping granted overrides', async () => {
    const org = await onPro();
    await sys.api('POST', '/profile/update', { token: root, orgid: org.id, body: { features: { beta: true } } });
    const res = await sys.api('POST', '/subscription/cancel', {
      token: root,
      orgid: org.id,
      body: { immediate: true },
    });
    expect(res.status).toBe(200);
    await eventually(async () => expect(await featuresOf(org.id)).toEqual(['beta']));
  });

  it('refuses overrides from a ConfigAdmin in both places', async () => {
    const org = await onPro();
    const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    expect(
      (await sys.api('POST', '/profile/update', { token: admin, body: { features: { beta: true } } })).status,
    ).toBe(403);
    expect(
      (
        await sys.api('POST', '/subscription/admin/update', {
          token: admin,
          body: { features: { beta: true }, reason: 'please' },
        })
      ).status,
    ).toBe(403);
    expect(await featuresOf(org.id)).toEqual(PRO_DEFAULTS);
  });

  it('applies a redelivered event once, and ignores an older event that arrives late', async () => {
    const org = await onPro();
    const [first] = (
      await sys.db('subscriptions')('outbox').where({ subject: SubscriptionChangedEvent.subject }).orderBy('seq')
    )
      .map((r) => r.envelope as EventEnvelope<{ orgId: string; plan: string }>)
      .filter((e) => e.orgId === org.id);
    const updatesBefore = (await orgUpdates(org.id)).length;
    const stale: EventEnvelope = {
      ...first,
      id: 'evt_stale_basic',
      occurredAt: first.occurredAt - 60_000,
      data: { ...first.data, plan: 'basic', features: ['custom-domain'] },
    };
    const nc = await connect({ servers: sys.env.NATS_URL });
    const js = nc.jetstream();
    const subject = `${sys.env.NATS_SUBJECT_PREFIX}${SubscriptionChangedEvent.subject}`;
    await js.publish(subject, JSON.stringify(first), { msgID: `replay-${first.id}` });
    await js.publish(subject, JSON.stringify(stale), { msgID: stale.id });
    await nc.close();
    // a later change for another org marks the point where both were consumed (one ordered consumer)
    const marker = await sys.registerOrg();
    await adminUpdate(marker.id, { plan: 'team' });
    await eventually(async () => expect(await featuresOf(marker.id)).toContain('audit-log'));
    expect(await featuresOf(org.id)).toEqual(PRO_DEFAULTS);
    expect((await orgUpdates(org.id)).length).toBe(updatesBefore);
    expect(
      await sys.db('orgs')('processed_events').where({ consumer: 'orgs_feature_flags', event_id: first.id }),
    ).toHaveLength(1);
  });
});

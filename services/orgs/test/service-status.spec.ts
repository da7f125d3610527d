import {
  BillingDebitDeclinedEvent,
  EventContract,
  newId,
  Organization,
  SubscriptionChangedEvent,
  SubscriptionPaymentFailedEvent,
} from '@org-mgmt/contracts';
import { Bus, createLogger, JetStreamEventBus, natsBus } from '@org-mgmt/runtime';
import { eventually, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { z } from 'zod';

describe('service status: operator suspension and event-driven transitions', () => {
  let sys: TestSystem;
  let root: string;
  let publisher: JetStreamEventBus;

  beforeAll(async () => {
    sys = await startTestSystem();
    root = await sys.rootToken();
    publisher = await JetStreamEventBus.connect(
      sys.env.NATS_URL,
      sys.env.NATS_SUBJECT_PREFIX,
      createLogger('warn', 'test-publisher'),
    );
  });
  afterAll(async () => {
    await publisher?.close();
    await sys?.close();
  });

  async function publish<T extends z.ZodType>(
    contract: EventContract<T>,
    orgId: string,
    data: z.input<T>,
  ): Promise<string> {
    const id = newId('event');
    await publisher.publish({
      id,
      type: contract.subject,
      version: contract.version,
      occurredAt: Date.now(),
      orgId,
      data: contract.schema.parse(data),
    });
    return id;
  }

  async function companyOf(orgId: string): Promise<Organization> {
    return (await sys.api('GET', `/profile/${orgId}`, { token: root })).body.company;
  }

  function suspend(orgId: string, body: unknown = { suspensionType: 'MANUAL', reason: 'Abuse report #42' }) {
    return sys.api('POST', '/service-status/suspend', { token: root, orgid: orgId, body });
  }

  function lift(orgId: string, reason = 'Resolved') {
    return sys.api('POST', '/service-status/lift', { token: root, orgid: orgId, body: { reason } });
  }

  async function statusEvents(orgId: string) {
    const rows = await sys.db('orgs')('outbox').where({ subject: 'org.status_changed' }).orderBy('seq');
    return rows.map((r) => r.envelope.data).filter((d) => d.orgId === orgId);
  }

  describe('operator suspend and lift', () => {
    it('suspends an ACTIVE org with a history record, keeps lastServiceStatusChanged in step and emits org.status_changed', async () => {
      const org = await sys.registerOrg();
      const res = await suspend(org.id, { suspensionType: 'POLICY_VIOLATION', reason: 'Spam campaign' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        orgId: org.id,
        serviceStatus: 'SUSPENDED',
        suspensionType: 'POLICY_VIOLATION',
        lastServiceStatusChanged: expect.any(Number),
      });
      const company = await companyOf(org.id);
      expect(company.serviceStatus).toBe('SUSPENDED');
      expect(company.lastServiceStatusChanged).toBe(res.body.lastServiceStatusChanged);
      expect(company.serviceStatusHistory).toEqual([
        expect.objectContaining({ status: 'ACTIVE', previousStatus: null, isCurrent: false }),
        expect.objectContaining({
          status: 'SUSPENDED',
          previousStatus: 'ACTIVE',
          suspensionType: 'POLICY_VIOLATION',
          reason: 'Spam campaign',
          changedBy: 'root-operator',
          isCurrent: true,
          timestamp: res.body.lastServiceStatusChanged,
        }),
      ]);
      expect(await statusEvents(org.id)).toEqual([
        expect.objectContaining({
          status: 'SUSPENDED',
          previousStatus: 'ACTIVE',
          suspensionType: 'POLICY_VIOLATION',
          cause: 'suspended',
          changedBy: 'root-operator',
        }),
      ]);
    });

    it('lifts a suspension back to ACTIVE with a record naming who and why', async () => {
      const org = await sys.registerOrg();
      await suspend(org.id);
      const res = await lift(org.id, 'Customer called');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ serviceStatus: 'ACTIVE', suspensionType: null });
      const history = (await companyOf(org.id)).serviceStatusHistory!;
      expect(history.map((r) => [r.status, r.previousStatus, r.isCurrent])).toEqual([
        ['ACTIVE', null, false],
        ['SUSPENDED', 'ACTIVE', false],
        ['ACTIVE', 'SUSPENDED', true],
      ]);
      expect(history[2]).toMatchObject({ reason: 'Customer called', suspensionType: null, changedBy: 'root-operator' });
      expect((await statusEvents(org.id)).map((e) => e.cause)).toEqual(['suspended', 'suspension_lifted']);
    });

    it('keeps exactly one current record when operators race to suspend', async () => {
      const org = await sys.registerOrg();
      const results = await Promise.all(Array.from({ length: 6 }, () => suspend(org.id)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
      const current = await sys.db('orgs')('service_status_records').where({ org_id: org.id, is_current: true });
      expect(current).toHaveLength(1);
    });

    it.each([
      [
        'suspending a SUSPENDED org',
        async (orgId: string) => {
          await suspend(orgId);
          return suspend(orgId);
        },
      ],
      ['lifting an ACTIVE org', async (orgId: string) => lift(orgId)],
    ])('refuses %s with 409 and appends nothing', async (_case, act) => {
      const org = await sys.registerOrg();
      const res = await act(org.id);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('CONFLICT');
    });

    it('refuses to suspend the root org', async () => {
      const res = await suspend(sys.config.ROOT_ORG_ID);
      expect(res.status).toBe(409);
    });

    it('answers 404 for an unknown org', async () => {
      const res = await suspend('org_doesnotexist');
      expect(res.status).toBe(404);
    });

    it.each([
      ['an event-only suspension type', { suspensionType: 'PAYMENT_FAILED', reason: 'x' }, 'body.suspensionType'],
      ['a missing reason', { suspensionType: 'MANUAL' }, 'body.reason'],
      ['an empty reason', { suspensionType: 'MANUAL', reason: '  ' }, 'body.reason'],
      ['an unknown field', { suspensionType: 'MANUAL', reason: 'x', until: 1 }, 'body'],
    ])('refuses %s with 400 naming the field, changing nothing', async (_case, body, path) => {
      const org = await sys.registerOrg();
      const res = await suspend(org.id, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect((await companyOf(org.id)).serviceStatus).toBe('ACTIVE');
    });
  });

  describe('event-driven suspension', () => {
    const failed = (orgId: string) => ({
      orgId,
      subscriptionId: 'sub_1',
      plan: 'pro',
      amount: 4900,
      currency: 'USD',
      reason: 'card_declined',
      attemptedAt: Date.now(),
    });
    const changed = (orgId: string, status: string, change: 'renewed' | 'cancelled' = 'renewed') => ({
      orgId,
      subscriptionId: 'sub_1',
      change,
      plan: 'pro',
      status,
      features: ['automation'],
      currentPeriodEnd: null,
      changedBy: 'system',
    });

    it('suspends with PAYMENT_FAILED on subscription.payment_failed and lifts it when the subscription is active again', async () => {
      const org = await sys.registerOrg();
      await publish(SubscriptionPaymentFailedEvent, org.id, failed(org.id));
      await eventually(async () => expect((await companyOf(org.id)).serviceStatus).toBe('SUSPENDED'));
      const suspended = (await companyOf(org.id)).serviceStatusHistory!.at(-1)!;
      expect(suspended).toMatchObject({
        suspensionType: 'PAYMENT_FAILED',
        changedBy: 'system:subscriptions',
        reason: expect.stringContaining('card_declined'),
      });

      await publish(SubscriptionChangedEvent, org.id, changed(org.id, 'active'));
      await eventually(async () => expect((await companyOf(org.id)).serviceStatus).toBe('ACTIVE'));
      expect((await statusEvents(org.id)).map((e) => e.cause)).toEqual(['payment_failed', 'payment_recovered']);
    });

    it('does not lift a MANUAL suspension when the subscription renews', async () => {
      const org = await sys.registerOrg();
      await suspend(org.id);
      const marker = await sys.registerOrg();
      await publish(SubscriptionPaymentFailedEvent, marker.id, failed(marker.id));
      await eventually(async () => expect((await companyOf(marker.id)).serviceStatus).toBe('SUSPENDED'));
      // One consumer handles subscription.changed in order: once the marker's lift is done, so is the org's event.
      await publish(SubscriptionChangedEvent, org.id, changed(org.id, 'active'));
      await publish(SubscriptionChangedEvent, marker.id, changed(marker.id, 'active'));
      await eventually(async () => expect((await companyOf(marker.id)).serviceStatus).toBe('ACTIVE'));
      expect((await companyOf(org.id)).serviceStatusHistory!.at(-1)).toMatchObject({
        status: 'SUSPENDED',
        suspensionType: 'MANUAL',
        isCurrent: true,
      });
    });

    it('records each failed-payment event once and appends nothing for a second failure while suspended', async () => {
      const org = await sys.registerOrg();
      const first = await publish(SubscriptionPaymentFailedEvent, org.id, failed(org.id));
      await publish(SubscriptionPaymentFailedEvent, org.id, failed(org.id));
      await eventually(async () => {
        const processed = await sys
          .db('orgs')('processed_events')
          .where({ consumer: 'orgs_status_payment_failed' })
          .pluck('event_id');
        expect(processed).toContain(first);
        expect(processed).toHaveLength(new Set(processed).size);
        expect((await statusEvents(org.id)).length).toBe(1);
      });
      const records = await sys.db('orgs')('service_status_records').where({ org_id: org.id });
      expect(records).toHaveLength(2);
    });

    it('suspends with QUOTA_EXCEEDED on a declined debit only when the org policy says so', async () => {
      const lenient = await sys.registerOrg();
      const strict = await sys.registerOrg();
      const policy = await sys.api('POST', '/profile/update', {
        token: root,
        orgid: strict.id,
        body: { policy: { suspendOnQuotaExceeded: true } },
      });
      expect(policy.status).toBe(200);
      expect(policy.body.company.policy).toEqual({ suspendOnQuotaExceeded: true });
      const declined = (orgId: string) => ({
        orgId,
        reference: 'job_7',
        amount: 500,
        currency: 'USD',
        balance: 20,
        declinedAt: Date.now(),
      });
      await publish(BillingDebitDeclinedEvent, lenient.id, declined(lenient.id));
      await publish(BillingDebitDeclinedEvent, strict.id, declined(strict.id));
      await eventually(async () => expect((await companyOf(strict.id)).serviceStatus).toBe('SUSPENDED'));
      expect((await companyOf(strict.id)).serviceStatusHistory!.at(-1)).toMatchObject({
        suspensionType: 'QUOTA_EXCEEDED',
        changedBy: 'system:billing',
      });
      expect((await companyOf(lenient.id)).serviceStatus).toBe('ACTIVE');
    });

    it('refuses the policy field from a ConfigAdmin with 403', async () => {
      const org = await sys.registerOrg();
      const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
      const res = await sys.api('POST', '/profile/update', {
        token: admin,
        body: { policy: { suspendOnQuotaExceeded: true } },
      });
      expect(res.status).toBe(403);
      expect((await companyOf(org.id)).policy).toEqual({ suspendOnQuotaExceeded: false });
    });
  });
  describe('orgs.state.get (internal, NATS only)', () => {
    let bus: Bus;
    beforeAll(async () => {
      bus = await natsBus(sys.config, sys.env.NATS_URL, createLogger('warn', 'test-rpc'));
    });
    afterAll(() => bus?.close());

    const stateOf = (
      orgId: string,
      roles: ('System' | 'RootAdmin')[] = ['System'],
      principalOrg = sys.config.ROOT_ORG_ID,
    ) =>
      bus.rpc.request('orgs.state.get', {
        principal: { sub: 'caller', orgId: principalOrg, roles },
        orgId,
        requestId: 'test-state',
        params: { orgId },
      });

    it('answers status, suspension type and effective features to a System caller', async () => {
      const org = await sys.registerOrg();
      await sys.api('POST', '/profile/update', { token: root, orgid: org.id, body: { features: { beta: true } } });
      await suspend(org.id, { suspensionType: 'POLICY_VIOLATION', reason: 'x' });
      expect(await stateOf(org.id)).toEqual({
        ok: true,
        data: { orgId: org.id, serviceStatus: 'SUSPENDED', suspensionType: 'POLICY_VIOLATION', features: ['beta'] },
      });
    });

    it('answers NOT_FOUND for an unknown org and FORBIDDEN to anyone but System', async () => {
      const org = await sys.registerOrg();
      expect(await stateOf('org_doesnotexist')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await stateOf(org.id, ['RootAdmin'])).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await stateOf(org.id, ['System'], org.id)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });
  });
});

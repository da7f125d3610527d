import { EventEnvelope, newId, OrgDeletedEvent, OrgTeardownAcknowledgedEvent, Organization } from '@org-mgmt/contracts';
import { RetentionPurge } from '@org-mgmt/orgs';
import {
  createDatabase,
  createLogger,
  eventTablesMigration,
  idempotentHandler,
  JetStreamEventBus,
  ManualClock,
  migrate,
} from '@org-mgmt/runtime';
import { eventually, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { z } from 'zod';

const DAY_MS = 86_400_000;
const ALL = { sites: true, devEnvironments: true, kubernetesResources: true };

describe('org deletion with teardown', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
  let sys: TestSystem;
  let root: string;
  let publisher: JetStreamEventBus;

  beforeAll(async () => {
    sys = await startTestSystem({ clock });
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

  const del = (body: Record<string, unknown>, token = root) => sys.api('POST', '/delete', { token, body });
  const teardownOf = async (orgId: string) => (await sys.api('GET', `/delete/${orgId}`, { token: root })).body;
  const companyOf = async (orgId: string): Promise<Organization> =>
    (await sys.api('GET', `/profile/${orgId}`, { token: root })).body.company;

  async function acknowledge(data: z.input<typeof OrgTeardownAcknowledgedEvent.schema>): Promise<void> {
    await publisher.publish({
      id: newId('event'),
      type: OrgTeardownAcknowledgedEvent.subject,
      version: 1,
      occurredAt: Date.now(),
      orgId: data.orgId,
      data,
    });
  }
  const ack = (
    orgId: string,
    resource: 'sites' | 'devEnvironments' | 'kubernetesResources',
    status: 'completed' | 'failed' = 'completed',
    detail: string | null = null,
  ) =>
    acknowledge({
      orgId,
      resource,
      status,
      detail,
      acknowledgedBy: `${resource}-teardown`,
      acknowledgedAt: 1_800_000_000_000,
    });

  describe('POST /delete', () => {
    it('soft-deletes: INACTIVE for good, org.deleted with the teardown options, one pending task per requested kind', async () => {
      const org = await sys.registerOrg();
      const res = await del({ orgId: org.id, reason: 'Merged into Acme', teardown: ALL });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        orgId: org.id,
        mode: 'soft',
        reason: 'Merged into Acme',
        requestedBy: 'root-operator',
        requestedAt: expect.any(Number),
        retentionUntil: res.body.requestedAt + 30 * DAY_MS,
        purgedAt: null,
        teardown: ALL,
        status: 'in_progress',
        resources: ['devEnvironments', 'kubernetesResources', 'sites'].map((resource) => ({
          resource,
          status: 'pending',
          detail: null,
          acknowledgedBy: null,
          acknowledgedAt: null,
        })),
      });
      const company = await companyOf(org.id);
      expect(company).toMatchObject({
        serviceStatus: 'INACTIVE',
        deletedAt: res.body.requestedAt,
        companyName: org.companyName,
      });
      expect(company.serviceStatusHistory!.at(-1)).toMatchObject({
        status: 'INACTIVE',
        previousStatus: 'ACTIVE',
        reason: 'Merged into Acme',
        isCurrent: true,
      });
      const events = await sys
        .db('orgs')('outbox')
        .whereIn('subject', ['org.deleted', 'org.status_changed'])
        .orderBy('seq');
      const ours = events.map((e) => e.envelope).filter((e) => e.orgId === org.id);
      expect(ours.map((e) => [e.type, e.data.cause])).toEqual([
        ['org.status_changed', 'org_deleted'],
        ['org.deleted', undefined],
      ]);
      expect(ours[1].data).toEqual({
        orgId: org.id,
        mode: 'soft',
        teardown: ALL,
        retentionUntil: res.body.retentionUntil,
        reason: 'Merged into Acme',
        deletedBy: 'root-operator',
        deletedAt: res.body.requestedAt,
      });
      const member = await sys.token({ orgId: org.id });
      expect((await sys.api('GET', '/profile/addresses', { token: member })).body.error.code).toBe('ORG_INACTIVE');
    });

    it('hard-deletes: the owner and addresses are purged now and the company name is free again', async () => {
      const org = await sys.registerOrg();
      await sys.api('POST', '/profile/addresses', {
        token: root,
        orgid: org.id,
        body: { type: 'billing', line1: '1 Way', city: 'Oslo', postalCode: '0150', country: 'NO' },
      });
      const res = await del({ orgId: org.id, reason: 'GDPR erasure request', mode: 'hard' });
      expect(res.body).toMatchObject({
        mode: 'hard',
        retentionUntil: null,
        purgedAt: clock.now(),
        teardown: { sites: false, devEnvironments: false, kubernetesResources: false },
        status: 'completed',
        resources: [],
      });
      const profile = (await sys.api('GET', `/profile/${org.id}`, { token: root })).body;
      expect(profile).toMatchObject({
        customer: null,
        address: null,
        company: { platformEmail: null, metadata: {}, serviceStatus: 'INACTIVE' },
      });
      expect(
        (
          await sys.api('POST', '/org-register', {
            token: root,
            body: { companyName: org.companyName, ownerEmail: 'new@example.com' },
          })
        ).status,
      ).toBe(201);
    });

    it('purges a soft-deleted org once its retention ends, not before', async () => {
      const org = await sys.registerOrg();
      await del({ orgId: org.id, reason: 'Churned', retentionDays: 7 });
      const purger = sys.provider('orgs', RetentionPurge);
      clock.advance(7 * DAY_MS - 1);
      await purger.purgeExpired();
      expect((await sys.api('GET', `/profile/${org.id}`, { token: root })).body.customer).not.toBeNull();
      clock.advance(1);
      expect(await purger.purgeExpired()).toBeGreaterThanOrEqual(1);
      expect((await sys.api('GET', `/profile/${org.id}`, { token: root })).body).toMatchObject({
        customer: null,
        company: { platformEmail: null, serviceStatus: 'INACTIVE' },
      });
      expect((await teardownOf(org.id)).purgedAt).toBe(clock.now());
      expect(await purger.purgeExpired()).toBe(0);
    });

    it('deletes a cancelled org, which then cannot be reactivated', async () => {
      const org = await sys.registerOrg();
      await sys.api('POST', '/account/cancel', {
        token: root,
        orgid: org.id,
        body: { reason: 'Leaving', deleteData: true },
      });
      expect((await del({ orgId: org.id, reason: 'Data deletion requested at cancel' })).status).toBe(200);
      expect((await companyOf(org.id)).serviceStatusHistory!.at(-1)).toMatchObject({
        status: 'INACTIVE',
        previousStatus: 'INACTIVE',
      });
      const res = await sys.api('PUT', '/account/reactivate', { token: root, orgid: org.id, body: { reason: 'oops' } });
      expect(res.status).toBe(409);
    });

    it.each([
      [
        'an org deleted before',
        async () => {
          const org = await sys.registerOrg();
          await del({ orgId: org.id, reason: 'x' });
          return org.id;
        },
        409,
      ],
      ['the root org', async () => sys.config.ROOT_ORG_ID, 409],
      ['an unknown org', async () => 'org_doesnotexist', 404],
    ])('refuses to delete %s', async (_case, orgIdOf, status) => {
      const res = await del({ orgId: await orgIdOf(), reason: 'x' });
      expect(res.status).toBe(status);
    });

    it.each([
      ['a missing orgId', { reason: 'x' }, 'body.orgId'],
      ['a malformed orgId', { orgId: 'acme', reason: 'x' }, 'body.orgId'],
      ['a missing reason', { orgId: 'org_x' }, 'body.reason'],
      ['an unknown mode', { orgId: 'org_x', reason: 'x', mode: 'shred' }, 'body.mode'],
      ['a zero retention', { orgId: 'org_x', reason: 'x', retentionDays: 0 }, 'body.retentionDays'],
      ['an unknown teardown option', { orgId: 'org_x', reason: 'x', teardown: { databases: true } }, 'body.teardown'],
      [
        'a non-boolean teardown option',
        { orgId: 'org_x', reason: 'x', teardown: { sites: 'yes' } },
        'body.teardown.sites',
      ],
    ])('refuses %s with 400 naming the field', async (_case, body, path) => {
      const res = await del(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    });
  });

  describe('teardown acknowledgements and GET /delete/:orgId', () => {
    it('reads complete once every requested kind acknowledged', async () => {
      const org = await sys.registerOrg();
      await del({ orgId: org.id, reason: 'Merged', teardown: ALL });
      await ack(org.id, 'sites');
      await ack(org.id, 'devEnvironments');
      await eventually(async () =>
        expect(
          (await teardownOf(org.id)).resources.filter((r: { status: string }) => r.status === 'completed'),
        ).toHaveLength(2),
      );
      expect((await teardownOf(org.id)).status).toBe('in_progress');
      await ack(org.id, 'kubernetesResources', 'completed', 'namespace org-x removed');
      await eventually(async () => expect((await teardownOf(org.id)).status).toBe('completed'));
      expect((await teardownOf(org.id)).resources).toContainEqual({
        resource: 'kubernetesResources',
        status: 'completed',
        detail: 'namespace org-x removed',
        acknowledgedBy: 'kubernetesResources-teardown',
        acknowledgedAt: 1_800_000_000_000,
      });
    });

    it('shows a failure until the subscriber retries successfully; a completed kind stays completed', async () => {
      const org = await sys.registerOrg();
      await del({ orgId: org.id, reason: 'x', teardown: { sites: true, kubernetesResources: true } });
      await ack(org.id, 'sites', 'failed', 'CDN API timeout');
      await ack(org.id, 'kubernetesResources', 'completed');
      await eventually(async () => expect((await teardownOf(org.id)).status).toBe('failed'));
      // One consumer, in order: once sites reads completed, the late failure before it was handled too.
      await ack(org.id, 'kubernetesResources', 'failed', 'late duplicate');
      await ack(org.id, 'sites', 'completed');
      await eventually(async () => expect((await teardownOf(org.id)).status).toBe('completed'));
      expect(
        (await teardownOf(org.id)).resources.find((r: { resource: string }) => r.resource === 'kubernetesResources')
          .detail,
      ).toBeNull();
    });

    it('ignores an acknowledgement for a kind that was not requested', async () => {
      const org = await sys.registerOrg();
      await del({ orgId: org.id, reason: 'x', teardown: { sites: true } });
      await ack(org.id, 'devEnvironments');
      await ack(org.id, 'sites');
      await eventually(async () => expect((await teardownOf(org.id)).status).toBe('completed'));
      expect((await teardownOf(org.id)).resources.map((r: { resource: string }) => r.resource)).toEqual(['sites']);
    });

    it('answers 404 for an org that was not deleted and 400 for a malformed id', async () => {
      const org = await sys.registerOrg();
      expect((await sys.api('GET', `/delete/${org.id}`, { token: root })).status).toBe(404);
      expect((await sys.api('GET', '/delete/acme', { token: root })).status).toBe(400);
    });
  });
  describe('a teardown subscriber of org.deleted', () => {
    it('tears down once in effect although it crashed before acking the first delivery, then acknowledges', async () => {
      const probe = createDatabase(sys.env.DATABASE_URL, 'teardown_probe', 2);
      await migrate(probe, 'teardown_probe', [eventTablesMigration]);
      await probe.schema.createTable('torn_down', (t) => {
        t.text('org_id').notNullable();
      });
      const org = await sys.registerOrg();
      const deliveries: string[] = [];
      const tearDown = idempotentHandler(probe, 'k8s_teardown', async (event, trx) => {
        const data = OrgDeletedEvent.schema.parse(event.data);
        if (data.teardown.kubernetesResources) await trx('torn_down').insert({ org_id: data.orgId });
      });
      const subscription = await publisher.subscribe({
        durable: 'probe_k8s_teardown',
        subject: OrgDeletedEvent.subject,
        handler: async (event: EventEnvelope) => {
          await tearDown(event);
          if (event.orgId !== org.id) return;
          deliveries.push(event.id);
          if (deliveries.length === 1) throw new Error('crashed after committing, before acking');
          await ack(org.id, 'kubernetesResources', 'completed', 'namespace removed');
        },
      });
      try {
        await del({ orgId: org.id, reason: 'Merged', teardown: { kubernetesResources: true } });
        await eventually(async () => expect((await teardownOf(org.id)).status).toBe('completed'));
        expect(deliveries).toHaveLength(2);
        expect(deliveries[0]).toBe(deliveries[1]);
        expect(await probe('torn_down').where({ org_id: org.id }).count()).toEqual([{ count: 1 }]);
      } finally {
        await subscription.stop();
        await probe.destroy();
      }
    });
  });
});

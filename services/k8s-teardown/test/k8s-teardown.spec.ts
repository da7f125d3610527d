import { EventEnvelope, OrgTeardownAcknowledgedEvent } from '@org-mgmt/contracts';
import {
  DURABLE,
  loadTeardownConfig,
  namespaceFor,
  RunningTeardownWorker,
  startTeardownWorker,
} from '@org-mgmt/k8s-teardown';
import { createLogger, EventSubscription, JetStreamEventBus, loadConfig, streamNameFor } from '@org-mgmt/runtime';
import { eventually, spawnService, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import { FakeKubeApi } from './fake-kube-api';

const LABEL = 'org-management.io/org-id';
const SWEPT = ['tenants', 'shared'];
const DEPLOYMENTS = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;
const SECRETS = (ns: string) => `/api/v1/namespaces/${ns}/secrets`;
const TEARDOWN_ENV = { K8S_TEARDOWN_NAMESPACES: SWEPT.join(','), K8S_TEARDOWN_ACK_WAIT_MS: '10000' };

describe('k8s-teardown: org.deleted → Kubernetes API → org.teardown_acknowledged', () => {
  let sys: TestSystem;
  let kube: FakeKubeApi;
  let worker: RunningTeardownWorker | undefined;
  let listener: JetStreamEventBus;
  let ackSubscription: EventSubscription;
  let nc: NatsConnection;
  let root: string;
  const acks: EventEnvelope<{ orgId: string; status: string; detail?: string | null }>[] = [];

  beforeAll(async () => {
    [sys, kube] = await Promise.all([startTestSystem(), FakeKubeApi.start()]);
    root = await sys.rootToken();
    worker = await startWorker();
    listener = await JetStreamEventBus.connect(
      sys.env.NATS_URL,
      sys.env.NATS_SUBJECT_PREFIX,
      createLogger('warn', 'test-listener'),
    );
    ackSubscription = await listener.subscribe({
      durable: 'test_acks',
      subject: OrgTeardownAcknowledgedEvent.subject,
      handler: async (event) => void acks.push(event as (typeof acks)[number]),
    });
    nc = await connect({ servers: sys.env.NATS_URL });
  });
  afterAll(async () => {
    await worker?.close();
    await ackSubscription?.stop();
    await listener?.close();
    await nc?.close();
    await kube?.close();
    await sys?.close();
  });

  function startWorker(): Promise<RunningTeardownWorker> {
    const config = loadConfig({ ...sys.env, HEALTH_PORT: '0' });
    return startTeardownWorker({
      config,
      teardown: loadTeardownConfig(TEARDOWN_ENV),
      logger: createLogger('warn', 'k8s-teardown'),
      kubeConfig: kube.kubeConfig(),
      healthHost: '127.0.0.1',
    });
  }

  /** A registered org with a namespace of its own, and labelled objects (and bystanders) in the swept namespaces. */
  async function orgWithResources(): Promise<{ orgId: string; namespace: string }> {
    const { id: orgId } = await sys.registerOrg();
    const namespace = namespaceFor('{orgId}', orgId);
    kube.addNamespace(namespace);
    for (const ns of SWEPT) {
      kube.addObject(DEPLOYMENTS(ns), `${orgId}-web`, { [LABEL]: orgId, app: 'web' });
      kube.addObject(SECRETS(ns), `${orgId}-db`, { [LABEL]: orgId });
      kube.addObject(DEPLOYMENTS(ns), `someone-else-${orgId}`, { [LABEL]: 'org_someone_else' });
    }
    return { orgId, namespace };
  }

  const deleteOrg = async (orgId: string, kubernetesResources = true) => {
    const res = await sys.api('POST', '/delete', {
      token: root,
      body: { orgId, reason: 'Contract ended', teardown: { kubernetesResources } },
    });
    expect(res.status).toBe(200);
  };
  const kubernetesTaskOf = async (orgId: string) =>
    (await sys.api('GET', `/delete/${orgId}`, { token: root })).body.resources.find(
      (r: { resource: string }) => r.resource === 'kubernetesResources',
    );
  const acksFor = (orgId: string) => acks.filter((a) => a.data.orgId === orgId);

  /** Every org.deleted was handled and acked by the worker, and every ack it published reached the listener. */
  async function settled(): Promise<void> {
    const jsm = await nc.jetstreamManager();
    const stream = streamNameFor(sys.env.NATS_SUBJECT_PREFIX);
    await eventually(async () => {
      for (const durable of [`${DURABLE}_org_deleted`, 'test_acks_org_teardown_acknowledged']) {
        const info = await jsm.consumers.info(stream, durable);
        expect([durable, info.num_pending, info.num_ack_pending]).toEqual([durable, 0, 0]);
      }
    }, 20_000);
  }

  it('deletes the org namespace and its labelled objects in every swept namespace, and orgs shows kubernetes completed', async () => {
    const { orgId, namespace } = await orgWithResources();
    await deleteOrg(orgId);
    await eventually(async () =>
      expect(await kubernetesTaskOf(orgId)).toMatchObject({
        status: 'completed',
        detail: null,
        acknowledgedBy: 'k8s-teardown',
      }),
    );
    expect(kube.hasNamespace(namespace)).toBe(false);
    for (const ns of SWEPT) {
      expect(kube.objectNames(DEPLOYMENTS(ns))).not.toContain(`${orgId}-web`);
      expect(kube.objectNames(DEPLOYMENTS(ns))).toContain(`someone-else-${orgId}`);
      expect(kube.objectNames(SECRETS(ns))).not.toContain(`${orgId}-db`);
    }
    const sweeps = kube.callsMatching(`labelSelector=${LABEL}=${orgId}`);
    expect(sweeps).toHaveLength(SWEPT.length * 9);
    expect(sweeps.every((c) => c.method === 'DELETE' && c.propagationPolicy === 'Background')).toBe(true);
    expect(kube.callsMatching(`DELETE /api/v1/namespaces/${namespace}?`)[0].authorization).toBe(
      'Bearer fake-service-account-token',
    );
    await settled();
    expect(acksFor(orgId).map((a) => a.data)).toEqual([
      {
        orgId,
        resource: 'kubernetesResources',
        status: 'completed',
        detail: null,
        acknowledgedBy: 'k8s-teardown',
        acknowledgedAt: expect.any(Number),
      },
    ]);
  });

  it('makes no Kubernetes call and publishes no acknowledgement when the deletion did not ask for it', async () => {
    const { orgId, namespace } = await orgWithResources();
    await deleteOrg(orgId, false);
    await settled();
    expect(kube.callsMatching(orgId.replace('_', '-'))).toEqual([]);
    expect(kube.callsMatching(orgId)).toEqual([]);
    expect(kube.hasNamespace(namespace)).toBe(true);
    expect(acksFor(orgId)).toEqual([]);
  });

  it('counts a namespace and objects already gone (404) as completed', async () => {
    const { id: orgId } = await sys.registerOrg();
    await deleteOrg(orgId);
    await eventually(async () =>
      expect(await kubernetesTaskOf(orgId)).toMatchObject({ status: 'completed', acknowledgedBy: 'k8s-teardown' }),
    );
    expect(kube.callsMatching(`DELETE /api/v1/namespaces/${namespaceFor('{orgId}', orgId)}?`)).toHaveLength(1);
  });

  it('acknowledges failed, naming the refused call, when RBAC forbids it (403), and still deletes what it may', async () => {
    const { orgId, namespace } = await orgWithResources();
    kube.fail(`DELETE /api/v1/namespaces/${namespace}`, 403);
    await deleteOrg(orgId);
    await eventually(async () => expect((await kubernetesTaskOf(orgId)).status).toBe('failed'));
    const task = await kubernetesTaskOf(orgId);
    expect(task.detail).toContain(`delete namespace ${namespace}: HTTP 403`);
    expect(task.detail).toContain('is forbidden');
    expect(kube.hasNamespace(namespace)).toBe(true);
    expect(kube.objectNames(SECRETS('tenants'))).not.toContain(`${orgId}-db`);
    await settled();
    expect(acksFor(orgId).map((a) => a.data.status)).toEqual(['failed']);
  });

  it('does not acknowledge while the API server fails (500): the event is redelivered and completes, acknowledged once', async () => {
    const { orgId, namespace } = await orgWithResources();
    kube.fail(`DELETE /api/v1/namespaces/${namespace}`, 500, 2);
    await deleteOrg(orgId);
    await eventually(async () => expect((await kubernetesTaskOf(orgId)).status).toBe('completed'), 20_000);
    expect(kube.callsMatching(`DELETE /api/v1/namespaces/${namespace}?`)).toHaveLength(3);
    expect(kube.hasNamespace(namespace)).toBe(false);
    await settled();
    expect(acksFor(orgId).map((a) => a.data.status)).toEqual(['completed']);
  });

  it('answers liveness, and readiness while NATS answers, on its health port', async () => {
    const base = `http://127.0.0.1:${worker!.health!.port}`;
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok', checks: { nats: true } }]);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/k8s_teardown_total\{outcome="completed"\} \d+/);
  });

  it('a worker process killed after the deletion but before its ack: the restarted one finishes, one completed ack in effect', async () => {
    await worker!.close();
    worker = undefined;
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'k8s-teardown-')), 'kubeconfig');
    writeFileSync(kubeconfig, kube.kubeConfigYaml());
    // A short ack wait: the killed worker's event is redelivered after it.
    const env = { ...sys.env, ...TEARDOWN_ENV, K8S_TEARDOWN_ACK_WAIT_MS: '3000', KUBECONFIG: kubeconfig };
    const { orgId, namespace } = await orgWithResources();
    const namespaceDeleted = kube.holdAfterEffect(`DELETE /api/v1/namespaces/${namespace}`);

    const first = spawnService('k8s-teardown', env);
    await deleteOrg(orgId);
    await namespaceDeleted;
    await kill(first, 'SIGKILL');
    expect(kube.hasNamespace(namespace)).toBe(false);
    expect((await kubernetesTaskOf(orgId)).status).toBe('pending');

    const second = spawnService('k8s-teardown', env);
    try {
      await eventually(
        async () =>
          expect(await kubernetesTaskOf(orgId)).toMatchObject({ status: 'completed', acknowledgedBy: 'k8s-teardown' }),
        30_000,
      );
      await settled();
    } finally {
      await kill(second, 'SIGTERM');
    }
    // Twice at least: a slow cold start may outlast the ack wait and be redelivered once more, which changes nothing.
    expect(kube.callsMatching(`DELETE /api/v1/namespaces/${namespace}?`).length).toBeGreaterThanOrEqual(2);
    expect(acksFor(orgId).map((a) => a.data.status)).toEqual(['completed']);
  }, 60_000);
});

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

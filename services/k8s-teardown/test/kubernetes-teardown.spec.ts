import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesTeardown, loadTeardownConfig, TransientKubernetesError } from '@org-mgmt/k8s-teardown';
import { createServer } from 'node:net';
import { FakeKubeApi } from './fake-kube-api';

const ORG = 'org_teardown1';
const NAMESPACE = 'DELETE /api/v1/namespaces/org-teardown1';

describe('KubernetesTeardown against the API server', () => {
  let kube: FakeKubeApi;
  beforeAll(async () => (kube = await FakeKubeApi.start()));
  afterAll(() => kube.close());
  beforeEach(() => kube.calls.splice(0));

  const teardown = (env: Record<string, string> = {}, kubeConfig = kube.kubeConfig()) =>
    new KubernetesTeardown(kubeConfig, loadTeardownConfig({ K8S_TEARDOWN_NAMESPACES: 'tenants', ...env }));

  it('treats an API server that refuses connections as transient', async () => {
    const port = await closedPort();
    const unreachable = new KubeConfig();
    unreachable.loadFromString(kube.kubeConfigYaml().replace(kube.url, `http://127.0.0.1:${port}`));
    await expect(teardown({}, unreachable).tearDown(ORG)).rejects.toBeInstanceOf(TransientKubernetesError);
  });

  it('treats a call the API server never answers as transient, after K8S_TEARDOWN_REQUEST_TIMEOUT_MS', async () => {
    void kube.holdAfterEffect(NAMESPACE);
    await expect(teardown({ K8S_TEARDOWN_REQUEST_TIMEOUT_MS: '300' }).tearDown(ORG)).rejects.toThrow(
      new TransientKubernetesError('delete namespace org-teardown1: no answer within 300 ms'),
    );
  });

  it('treats 429 (throttled) as transient', async () => {
    kube.fail(NAMESPACE, 429);
    await expect(teardown().tearDown(ORG)).rejects.toThrow(/delete namespace org-teardown1: HTTP 429/);
  });

  it('counts 409 on the namespace (already terminating) as gone', async () => {
    kube.fail(NAMESPACE, 409);
    await expect(teardown().tearDown(ORG)).resolves.toEqual({ status: 'completed', detail: null });
  });

  it('reports other client errors as a permanent failure, one detail per refused call', async () => {
    kube.fail(NAMESPACE, 400);
    kube.fail('DELETE /api/v1/namespaces/tenants/secrets', 403);
    const outcome = await teardown().tearDown(ORG);
    expect(outcome.status).toBe('failed');
    expect(outcome.detail?.split('; ')).toEqual([
      expect.stringMatching(
        /^deletecollection secrets in tenants \(org-management.io\/org-id=org_teardown1\): HTTP 403 .*is forbidden/,
      ),
      expect.stringMatching(/^delete namespace org-teardown1: HTTP 400 injected failure/),
    ]);
  });

  it('deletes nothing for an id that is not an org id usable as a label value (a wider selector, a system namespace)', async () => {
    for (const orgId of ['org_x,tier!=gold', 'kube-system', 'default', `org_${'a'.repeat(64)}`]) {
      await expect(teardown().tearDown(orgId)).resolves.toEqual({
        status: 'failed',
        detail: `${JSON.stringify(orgId)} is not an org id usable as a Kubernetes label value; nothing deleted`,
      });
    }
    expect(kube.calls).toEqual([]);
  });

  it('leaves the namespace alone when K8S_TEARDOWN_DELETE_NAMESPACE is false, and sweeps nothing without namespaces', async () => {
    await teardown({ K8S_TEARDOWN_DELETE_NAMESPACE: 'false' }).tearDown(ORG);
    expect(kube.callsMatching(NAMESPACE + '?')).toEqual([]);
    expect(kube.calls).toHaveLength(9);
    kube.calls.splice(0);
    await teardown({ K8S_TEARDOWN_NAMESPACES: '', K8S_TEARDOWN_NAMESPACE_TEMPLATE: 'tenant-{orgId}' }).tearDown(ORG);
    expect(kube.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['DELETE /api/v1/namespaces/tenant-org-teardown1']);
  });
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

import { SWEPT_KINDS } from '@org-mgmt/k8s-teardown';
import { AssertionSigner, AssertionVerifier, BusSigner, loadBusKeys, systemPrincipal } from '@org-mgmt/runtime';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kustomize, Manifest, merge, podContainers, readManifests } from './kustomize';

const K8S = join(__dirname, '..', '..', 'k8s');
const PROCESSES = ['gateway', 'orgs', 'billing', 'subscriptions', 'transfers'];
/** A single-replica worker: a Deployment and a metrics Service, no HPA or PDB, no database and no secrets. */
const TEARDOWN = 'k8s-teardown';

/** The kubernetes-models class of a manifest's apiVersion/kind, e.g. kubernetes-models/apps/v1/Deployment. */
function modelOf(manifest: Manifest): new (data: unknown) => { validate(): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the model's path is computed
  const module = require(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`);
  return module[manifest.kind];
}

function byKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

describe.each(['base', 'overlays/dev', 'overlays/prod'])('k8s/%s', (dir) => {
  const manifests = kustomize(join(K8S, dir));

  it('renders manifests that validate against the Kubernetes schemas', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      const Model = modelOf(manifest);
      expect(() => new Model(manifest).validate()).not.toThrow();
    }
  });

  it('has a Deployment, Service, HPA and PDB for each of the five processes, and a Deployment and Service for the teardown worker', () => {
    for (const kind of ['Deployment', 'Service']) {
      expect(
        byKind(manifests, kind)
          .map((m) => m.metadata.name)
          .sort(),
      ).toEqual([...PROCESSES, TEARDOWN].sort());
    }
    for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(
        byKind(manifests, kind)
          .map((m) => m.metadata.name)
          .sort(),
      ).toEqual([...PROCESSES].sort());
    }
  });

  it('runs every container non-root, with probes, resources and the config and secret by reference', () => {
    for (const deployment of byKind(manifests, 'Deployment')) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      const [container] = podContainers(deployment);
      expect(container.env).toContainEqual({ name: 'SERVICE', value: deployment.metadata.name });
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.resources.requests).toBeDefined();
      expect(container.resources.limits).toBeDefined();
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      const onBus = deployment.metadata.name !== TEARDOWN;
      const trust = onBus ? [{ configMapRef: { name: 'org-management-bus-trust' } }] : [];
      const secrets = onBus ? [{ secretRef: { name: 'org-management-secrets' } }] : [];
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'org-management-config' } }, ...trust, ...secrets]);
      expect(container.image).toMatch(/^ghcr\.io\/example\/org-management:/);
    }
  });

  it('gives every process on the bus its own signing key, from a Secret of its own', () => {
    for (const deployment of byKind(manifests, 'Deployment').filter((d) => d.metadata.name !== TEARDOWN)) {
      const { name } = deployment.metadata;
      const [container] = podContainers(deployment);
      expect(container.env).toContainEqual({
        name: 'BUS_SIGNING_KEYS',
        valueFrom: { secretKeyRef: { name: `org-management-bus-${name}`, key: 'BUS_SIGNING_KEYS' } },
      });
    }
  });

  it('connects every process to NATS as its own user, the password from the Secret org-management-nats', () => {
    for (const deployment of byKind(manifests, 'Deployment')) {
      const { name } = deployment.metadata;
      const [container] = podContainers(deployment);
      expect(container.env).toContainEqual({ name: 'NATS_USER', value: name });
      expect(container.env).toContainEqual({
        name: 'NATS_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'org-management-nats', key: name } },
      });
    }
    const config = byKind(manifests, 'ConfigMap').find((m) => m.metadata.name === 'org-management-config')!;
    expect(config.data.NATS_STREAM_REPLICAS).toBe(dir === 'overlays/prod' ? '3' : '1');
  });

  it('gives a service-account token to the teardown worker only, with least-privilege RBAC: no wildcards, delete on namespaces, deletecollection on exactly the swept kinds', () => {
    const withToken = byKind(manifests, 'Deployment').filter(
      (d) => d.spec.template.spec.automountServiceAccountToken !== false,
    );
    expect(withToken.map((d) => [d.metadata.name, d.spec.template.spec.serviceAccountName])).toEqual([
      [TEARDOWN, TEARDOWN],
    ]);
    const roles = byKind(manifests, 'ClusterRole');
    const grants = roles.flatMap((role) =>
      role.rules.flatMap((rule: { apiGroups: string[]; resources: string[]; verbs: string[] }) =>
        rule.apiGroups.flatMap((group) =>
          rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${verb} ${resource}.${group}`)),
        ),
      ),
    );
    expect(grants.filter((g) => g.includes('*'))).toEqual([]);
    const swept = SWEPT_KINDS.map((k) => `deletecollection ${k.resource}.${k.group}`);
    expect(grants.sort()).toEqual(['delete namespaces.', ...swept].sort());
    expect(byKind(manifests, 'Role')).toEqual([]);
    const namespace = manifests.find((m) => m.kind === 'Deployment')!.metadata.namespace ?? 'default';
    for (const binding of byKind(manifests, 'ClusterRoleBinding')) {
      expect(roles.map((r) => r.metadata.name)).toContain(binding.roleRef.name);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: TEARDOWN, namespace }]);
    }
    expect(
      byKind(manifests, 'ClusterRoleBinding')
        .map((b) => b.roleRef.name)
        .sort(),
    ).toEqual(roles.map((r) => r.metadata.name).sort());
  });

  it('lets a node drain: every PDB allows one disruption at the fewest replicas its HPA or Deployment runs', () => {
    for (const pdb of byKind(manifests, 'PodDisruptionBudget')) {
      const name = pdb.metadata.name;
      const hpa = byKind(manifests, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === name);
      const replicas: number =
        hpa?.spec.minReplicas ??
        byKind(manifests, 'Deployment').find((d) => d.metadata.name === name)?.spec.replicas ??
        1;
      expect({ name, replicas, drainable: allowedDisruptions(pdb.spec, replicas) >= 1 }).toEqual({
        name,
        replicas,
        drainable: true,
      });
    }
  });

  it('holds no Secret values and lets only the gateway receive outside traffic', () => {
    expect(byKind(manifests, 'Secret')).toEqual([]);
    const policies = byKind(manifests, 'NetworkPolicy');
    const denyAll = policies.find((p) => Object.keys(p.spec.podSelector).length === 0)!;
    expect(denyAll.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const open = policies.filter((p) => p.spec.ingress?.some((rule: { from?: unknown }) => !rule.from));
    expect(open.map((p) => p.spec.podSelector.matchLabels)).toEqual([{ 'app.kubernetes.io/component': 'gateway' }]);
  });
});

/** Pods a PDB lets go at once with `replicas` healthy, as the disruption controller counts (percentages round up). */
function allowedDisruptions(
  spec: { minAvailable?: number | string; maxUnavailable?: number | string },
  replicas: number,
): number {
  const count = (value: number | string) =>
    typeof value === 'number' ? value : Math.ceil((replicas * parseInt(value, 10)) / 100);
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
    throw new Error('a PDB sets minAvailable or maxUnavailable, not both');
  if (spec.maxUnavailable !== undefined) return count(spec.maxUnavailable);
  return replicas - count(spec.minAvailable ?? 0);
}

describe('k8s overlays', () => {
  it('put dev and prod in their own namespaces with their own image tags', () => {
    const dev = kustomize(join(K8S, 'overlays/dev'));
    const prod = kustomize(join(K8S, 'overlays/prod'));
    const namespaced = (m: Manifest) => !m.kind.startsWith('Cluster');
    expect(new Set(dev.filter(namespaced).map((m) => m.metadata.namespace))).toEqual(new Set(['org-management-dev']));
    expect(new Set(prod.filter(namespaced).map((m) => m.metadata.namespace))).toEqual(new Set(['org-management']));
    expect(prod.filter((m) => !namespaced(m)).map((m) => m.metadata.namespace)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(podContainers(dev.find((m) => m.kind === 'Deployment')!)[0].image).toBe(
      'ghcr.io/example/org-management:dev',
    );
    const gatewayHpa = prod.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === 'gateway')!;
    expect(gatewayHpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 20, scaleTargetRef: { name: 'gateway' } });
    const config = dev.find((m) => m.kind === 'ConfigMap')!;
    expect(config.data).toMatchObject({ LOG_LEVEL: 'debug', NODE_ENV: 'production' });
  });

  it('merge patches lists of named items by name, as strategic merge does', () => {
    const base = { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }, { name: 'b' }] };
    const patch = { containers: [{ name: 'a', env: [{ name: 'B', value: '2' }] }] };
    expect(merge(base, patch)).toEqual({
      containers: [
        {
          name: 'a',
          image: 'x',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
        { name: 'b' },
      ],
    });
  });
});

describe('docker-compose.yml', () => {
  const [compose] = readManifests(join(__dirname, '..', '..', 'docker-compose.yml')) as unknown as [
    { services: Record<string, any> },
  ];

  it('runs PostgreSQL, NATS with JetStream and the five processes, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['nats', 'postgres', ...PROCESSES].sort());
    expect(compose.services.nats.command).toEqual(['--config', '/etc/nats/nats.conf']);
    expect(compose.services.nats.volumes).toContain('./docker-compose.nats.conf:/etc/nats/nats.conf:ro');
    for (const [name, service] of Object.entries(compose.services))
      expect([name, service.healthcheck?.test]).toEqual([name, expect.any(Array)]);
    for (const name of PROCESSES) expect(compose.services[name].environment.SERVICE).toBe(name);
    expect(compose.services.gateway.ports).toEqual(['3000:3000']);
  });

  it('gives every process its own NATS user, with the password the NATS server is given for it', () => {
    for (const name of PROCESSES) {
      const { NATS_USER, NATS_PASSWORD } = compose.services[name].environment;
      expect([name, NATS_USER]).toEqual([name, name]);
      expect(NATS_PASSWORD).toBe(compose.services.nats.environment[`NATS_PASSWORD_${name.toUpperCase()}`]);
    }
  });

  it('gives every process on the bus its own signing key, which every process trusts', async () => {
    const orDefault = (value: string) => /^\$\{[A-Z_]+:-(.*)\}$/.exec(value)?.[1] ?? value;
    for (const name of PROCESSES) {
      const env = compose.services[name].environment;
      const keys = loadBusKeys({
        NODE_ENV: 'production',
        DATA_DIR: '/nonexistent',
        BUS_SIGNING_KEYS: orDefault(env.BUS_SIGNING_KEYS),
        BUS_TRUSTED_KEYS: orDefault(env.BUS_TRUSTED_KEYS),
      });
      expect([...keys.signing.keys()]).toEqual([name]);
      const assertion = await new AssertionSigner(keys.signing).assertionFor(
        systemPrincipal(name as BusSigner, 'org_root'),
        'orgs',
      );
      await expect(
        new AssertionVerifier(keys.trusted, 'org_root').verify(
          assertion,
          'orgs',
          systemPrincipal(name as BusSigner, 'org_root'),
        ),
      ).resolves.toBeTruthy();
    }
  });
});

describe('Dockerfile', () => {
  it('copies every workspace manifest before installing, so the image build sees every package', () => {
    const root = join(__dirname, '..', '..');
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const workspaces = ['libs', 'services', 'apps'].flatMap((group) =>
      readdirSync(join(root, group)).map((name) => `${group}/${name}`),
    );
    for (const ws of workspaces)
      expect([ws, dockerfile.includes(`COPY ${ws}/package.json ${ws}/`)]).toEqual([ws, true]);
  });
});

import { KubeConfig } from '@kubernetes/client-node';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  labelSelector: string | null;
  propagationPolicy: string | null;
  authorization: string | undefined;
}

interface StoredObject {
  /** The collection the object lives in, e.g. /apis/apps/v1/namespaces/tenants/deployments. */
  collection: string;
  name: string;
  labels: Record<string, string>;
}

interface Fault {
  /** `METHOD /path` the fault applies to. */
  request: string;
  status: number;
  remaining: number;
}

interface Hold {
  request: string;
  arrived: () => void;
}

const KIND_OF: Record<string, string> = {
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  cronjobs: 'CronJob',
  jobs: 'Job',
  services: 'Service',
  ingresses: 'Ingress',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  persistentvolumeclaims: 'PersistentVolumeClaim',
};

const REASON_OF: Record<number, string> = {
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/**
 * An HTTP-level fake of the Kubernetes API server for the calls the teardown makes: DELETE of a
 * namespace and deletecollection (DELETE on a namespaced collection with a labelSelector), over
 * real HTTP so the real @kubernetes/client-node talks to it. It keeps namespaces and labelled
 * objects, answers with the Status and List bodies the real server sends, records every call, and
 * can fail a request with a given status or apply a request's effect and never answer it (the
 * worker dies mid-request).
 */
export class FakeKubeApi {
  readonly calls: RecordedCall[] = [];
  private readonly namespaces = new Set<string>();
  private objects: StoredObject[] = [];
  private readonly faults: Fault[] = [];
  private readonly holds: Hold[] = [];
  private readonly held: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static start(): Promise<FakeKubeApi> {
    return new Promise((resolve) => {
      const server = createServer((req, res) => fake.handle(req, res));
      let fake: FakeKubeApi;
      server.listen(0, '127.0.0.1', () => {
        fake = new FakeKubeApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        resolve(fake);
      });
    });
  }

  /** A kubeconfig for the fake, as a file's YAML text (KUBECONFIG of a worker process). */
  kubeConfigYaml(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      // Plain HTTP: the client refuses it unless TLS verification is off.
      `  - name: fake\n    cluster:\n      server: ${this.url}\n      insecure-skip-tls-verify: true`,
      'users:',
      '  - name: teardown\n    user:\n      token: fake-service-account-token',
      'contexts:',
      '  - name: fake\n    context:\n      cluster: fake\n      user: teardown',
      'current-context: fake',
      '',
    ].join('\n');
  }

  kubeConfig(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(this.kubeConfigYaml());
    return kubeConfig;
  }

  addNamespace(name: string): void {
    this.namespaces.add(name);
  }

  hasNamespace(name: string): boolean {
    return this.namespaces.has(name);
  }

  addObject(collection: string, name: string, labels: Record<string, string>): void {
    this.objects.push({ collection, name, labels });
  }

  objectNames(collection: string): string[] {
    return this.objects.filter((o) => o.collection === collection).map((o) => o.name);
  }

  /** The next `times` requests `METHOD /path` are answered with `status` (and a Status body) and change nothing. */
  fail(request: string, status: number, times = 1): void {
    this.faults.push({ request, status, remaining: times });
  }

  /** The next request `METHOD /path` takes effect but is never answered; resolves when it arrived. */
  holdAfterEffect(request: string): Promise<void> {
    return new Promise((arrived) => this.holds.push({ request, arrived }));
  }

  callsMatching(text: string): RecordedCall[] {
    return this.calls.filter((c) => `${c.method} ${c.path}?labelSelector=${c.labelSelector}`.includes(text));
  }

  close(): Promise<void> {
    this.held.splice(0).forEach((res) => res.destroy());
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      labelSelector: url.searchParams.get('labelSelector'),
      propagationPolicy: url.searchParams.get('propagationPolicy'),
      authorization: req.headers.authorization,
    };
    this.calls.push(call);
    req.resume();
    req.on('end', () => this.answer(call, res));
  }

  private answer(call: RecordedCall, res: ServerResponse): void {
    const request = `${call.method} ${call.path}`;
    const fault = this.faults.find((f) => f.request === request && f.remaining > 0);
    if (fault) {
      fault.remaining--;
      return send(res, fault.status, status(fault.status, `injected failure of ${request}`, call));
    }
    const [status_, body] = this.apply(call);
    const hold = this.holds.findIndex((h) => h.request === request);
    if (hold >= 0) {
      this.holds.splice(hold, 1)[0].arrived();
      this.held.push(res);
      return;
    }
    send(res, status_, body);
  }

  private apply(call: RecordedCall): [number, unknown] {
    if (call.method !== 'DELETE') return [405, status(405, 'the fake answers DELETE only', call)];
    const namespace = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(call.path);
    if (namespace) return this.deleteNamespace(namespace[1], call);
    const collection = /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))\/namespaces\/([^/]+)\/([^/]+)$/.exec(call.path);
    if (collection && KIND_OF[collection[4]])
      return this.deleteCollection(call, collection[1], collection[2], collection[4]);
    return [404, status(404, 'the server could not find the requested resource', call)];
  }

  private deleteNamespace(name: string, call: RecordedCall): [number, unknown] {
    if (!this.namespaces.delete(name))
      return [404, status(404, `namespaces "${name}" not found`, call, { name, kind: 'namespaces' })];
    return [
      200,
      {
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: { name, deletionTimestamp: new Date().toISOString() },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Terminating' },
      },
    ];
  }

  private deleteCollection(
    call: RecordedCall,
    group: string | undefined,
    version: string | undefined,
    resource: string,
  ): [number, unknown] {
    const [key, value] = (call.labelSelector ?? '').split('=');
    const matches = (o: StoredObject) => o.collection === call.path && o.labels[key] === value;
    const deleted = this.objects.filter(matches);
    this.objects = this.objects.filter((o) => !matches(o));
    return [
      200,
      {
        kind: `${KIND_OF[resource]}List`,
        apiVersion: group ? `${group}/${version}` : 'v1',
        metadata: { resourceVersion: String(this.calls.length) },
        items: deleted.map((o) => ({ metadata: { name: o.name, labels: o.labels } })),
      },
    ];
  }
}

function status(code: number, message: string, call: RecordedCall, details?: Record<string, string>): unknown {
  const forbidden = `${call.path} is forbidden: User "system:serviceaccount:org-management:k8s-teardown" cannot ${call.method.toLowerCase()} it`;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: code === 403 ? forbidden : message,
    reason: REASON_OF[code] ?? 'Unknown',
    ...(details ? { details } : {}),
    code,
  };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

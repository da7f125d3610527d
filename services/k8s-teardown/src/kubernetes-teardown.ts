import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { ORG_ID_PATTERN } from '@org-mgmt/contracts';
import { withTimeout } from '@org-mgmt/runtime';
import { createHash } from 'node:crypto';
import { TeardownConfig } from './config';
import { KubernetesClients, kubernetesClients, SWEPT_KINDS } from './swept-kinds';

export type TeardownOutcome = { status: 'completed'; detail: null } | { status: 'failed'; detail: string };

/** The API server could not be reached or answered 429/5xx: the event is redelivered and the teardown redone. */
export class TransientKubernetesError extends Error {}

/** One idempotent API call of a teardown, described for logs and failure details. */
interface Step {
  description: string;
  run(): Promise<unknown>;
  /** Codes that mean there is nothing (left) to delete. */
  goneCodes: readonly number[];
}

const MAX_DNS_LABEL = 63;
/**
 * A label value: an org id that is not one could widen the label selector of a destructive call. An org
 * id must also be one (`org_…`), so a forged event cannot name a namespace such as kube-system.
 */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const isTearableOrgId = (orgId: string) => ORG_ID_PATTERN.test(orgId) && LABEL_VALUE.test(orgId);

/** The org's namespace: the template with the org id, lower-cased, made a DNS label (a hash keeps long names distinct). */
export function namespaceFor(template: string, orgId: string): string {
  const name = template
    .replaceAll('{orgId}', orgId)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name.length <= MAX_DNS_LABEL) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_DNS_LABEL - 9).replace(/-+$/, '')}-${hash}`;
}

/**
 * Removes a deleted org's Kubernetes resources: objects labelled with its id in the swept
 * namespaces (deletecollection per kind), then its own namespace. Every call is idempotent, so a
 * redelivered event simply repeats them; 404 (and 409 for a namespace already terminating) count
 * as already gone.
 */
export class KubernetesTeardown {
  private readonly clients: KubernetesClients;

  constructor(
    kubeConfig: KubeConfig,
    private readonly config: TeardownConfig,
  ) {
    this.clients = kubernetesClients(kubeConfig);
  }

  /** Throws TransientKubernetesError when it should be retried; permanent refusals (403…) come back as failed. */
  async tearDown(orgId: string): Promise<TeardownOutcome> {
    if (!isTearableOrgId(orgId))
      return {
        status: 'failed',
        detail: `${JSON.stringify(orgId.slice(0, 100))} is not an org id usable as a Kubernetes label value; nothing deleted`,
      };
    const failures: string[] = [];
    for (const step of this.stepsFor(orgId)) {
      const failure = await attempt(step, this.config.K8S_TEARDOWN_REQUEST_TIMEOUT_MS);
      if (failure) failures.push(failure);
    }
    return failures.length
      ? { status: 'failed', detail: failures.join('; ').slice(0, 2000) }
      : { status: 'completed', detail: null };
  }

  private stepsFor(orgId: string): Step[] {
    const labelSelector = `${this.config.K8S_TEARDOWN_LABEL_KEY}=${orgId}`;
    const sweeps = this.config.K8S_TEARDOWN_NAMESPACES.flatMap((namespace) =>
      SWEPT_KINDS.map((kind) => ({
        description: `deletecollection ${kind.group ? `${kind.resource}.${kind.group}` : kind.resource} in ${namespace} (${labelSelector})`,
        run: () => kind.deleteCollection(this.clients, { namespace, labelSelector }),
        goneCodes: [404],
      })),
    );
    if (!this.config.K8S_TEARDOWN_DELETE_NAMESPACE) return sweeps;
    const name = namespaceFor(this.config.K8S_TEARDOWN_NAMESPACE_TEMPLATE, orgId);
    return [
      ...sweeps,
      {
        description: `delete namespace ${name}`,
        run: () => this.clients.core.deleteNamespace({ name, propagationPolicy: 'Background' }),
        goneCodes: [404, 409],
      },
    ];
  }
}

/** Runs a step: null when done or nothing was there, a failure description when refused for good. */
async function attempt(step: Step, timeoutMs: number): Promise<string | null> {
  try {
    await withTimeout(step.run(), timeoutMs, () => {
      throw new TransientKubernetesError(`${step.description}: no answer within ${timeoutMs} ms`);
    });
    return null;
  } catch (err) {
    if (err instanceof TransientKubernetesError) throw err;
    if (!(err instanceof ApiException))
      throw new TransientKubernetesError(`${step.description}: ${errorText(err)}`, { cause: err });
    if (step.goneCodes.includes(err.code)) return null;
    if (err.code === 429 || err.code >= 500)
      throw new TransientKubernetesError(`${step.description}: HTTP ${err.code} ${statusMessage(err)}`);
    return `${step.description}: HTTP ${err.code} ${statusMessage(err)}`;
  }
}

/** The message of the API server's Status body, when it sent one. */
function statusMessage(err: ApiException<unknown>): string {
  const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : 'no Status message';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

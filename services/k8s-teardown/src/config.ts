import { intSetting, parseEnvironment } from '@org-mgmt/runtime';
import { z } from 'zod';

/** A Kubernetes label key: optional DNS-subdomain prefix, then a name of up to 63 characters. */
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The worker's own settings (docs/operations.md "Kubernetes teardown"); the shared ones come from loadConfig. */
export const TeardownConfigSchema = z.object({
  /** The org's namespace; `{orgId}` is replaced by the org id, and the result made a DNS label. */
  K8S_TEARDOWN_NAMESPACE_TEMPLATE: z
    .string()
    .includes('{orgId}', { message: 'must contain {orgId}' })
    .default('{orgId}'),
  K8S_TEARDOWN_DELETE_NAMESPACE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  K8S_TEARDOWN_LABEL_KEY: z
    .string()
    .regex(LABEL_KEY, 'a Kubernetes label key, e.g. org-management.io/org-id')
    .default('org-management.io/org-id'),
  /** Comma-separated namespaces swept for objects labelled with the org id. */
  K8S_TEARDOWN_NAMESPACES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(DNS_LABEL, 'namespace names are DNS labels'))),
  /** How long an unacknowledged org.deleted waits before JetStream redelivers it (a crashed worker's events). */
  K8S_TEARDOWN_ACK_WAIT_MS: intSetting(60_000, 1000),
  /** A call the API server has not answered by then counts as transient, so a hung server cannot stall the worker. */
  K8S_TEARDOWN_REQUEST_TIMEOUT_MS: intSetting(10_000, 100),
});

export type TeardownConfig = z.output<typeof TeardownConfigSchema>;

export function loadTeardownConfig(env: NodeJS.ProcessEnv = process.env): TeardownConfig {
  return parseEnvironment(TeardownConfigSchema, env);
}

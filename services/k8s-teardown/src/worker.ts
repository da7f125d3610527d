import { KubeConfig } from '@kubernetes/client-node';
import { AppConfig, HealthServer, JetStreamEventBus, Logger, startHealthServer } from '@org-mgmt/runtime';
import { TeardownConfig } from './config';
import { KubernetesTeardown } from './kubernetes-teardown';
import { OrgDeletedConsumer } from './org-deleted.consumer';

export interface TeardownWorkerOptions {
  config: AppConfig;
  teardown: TeardownConfig;
  logger: Logger;
  /** Defaults to KUBECONFIG, else ~/.kube/config, else the pod's service account (in cluster). */
  kubeConfig?: KubeConfig;
  healthHost?: string;
}

export interface RunningTeardownWorker {
  /** The probe and metrics port, when HEALTH_PORT is set. */
  health?: HealthServer;
  close(): Promise<void>;
}

export function defaultKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}

/**
 * The k8s-teardown process: no database and no RPC, only the durable org.deleted consumer on
 * JetStream, the Kubernetes API, and the same /health/live, /health/ready (NATS) and /metrics as
 * every other process.
 */
export async function startTeardownWorker(options: TeardownWorkerOptions): Promise<RunningTeardownWorker> {
  const { config, teardown, logger } = options;
  if (!config.NATS_URL) throw new Error('NATS_URL is required for the k8s-teardown worker');
  const bus = await JetStreamEventBus.connect(config.NATS_URL, config.NATS_SUBJECT_PREFIX, logger, {
    ...config,
    manageStream: false,
  });
  const kubernetes = new KubernetesTeardown(options.kubeConfig ?? defaultKubeConfig(), teardown);
  const subscription = await new OrgDeletedConsumer(bus, kubernetes, logger, teardown.K8S_TEARDOWN_ACK_WAIT_MS).start();
  const health =
    config.HEALTH_PORT === undefined
      ? undefined
      : await startHealthServer(config.HEALTH_PORT, [{ name: 'nats', check: () => bus.ping() }], options.healthHost);
  return {
    health,
    async close() {
      await health?.close();
      await subscription.stop();
      await bus.close();
    },
  };
}

import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';

/** The API clients of the groups the teardown touches. */
export interface KubernetesClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  networking: NetworkingV1Api;
}

export function kubernetesClients(kubeConfig: KubeConfig): KubernetesClients {
  return {
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
  };
}

/** One deletecollection call: the namespace to sweep and the org's label selector. */
export interface SweepRequest {
  namespace: string;
  labelSelector: string;
}

export interface SweptKind {
  /** The API group ('' for core) and resource, as the ClusterRole in k8s/base/k8s-teardown.yaml names them. */
  group: string;
  resource: string;
  deleteCollection(clients: KubernetesClients, request: SweepRequest): Promise<unknown>;
}

/** Dependents (a Deployment's ReplicaSets and Pods, a Job's Pods) go too, in the background. */
const BACKGROUND = { propagationPolicy: 'Background' } as const;

/**
 * The kinds swept for objects labelled with the org id. Changing this list means changing the
 * ClusterRole `org-management-k8s-teardown-sweep` to match (test/ops/k8s-manifests.spec.ts checks they agree).
 */
export const SWEPT_KINDS: readonly SweptKind[] = [
  {
    group: 'apps',
    resource: 'deployments',
    deleteCollection: (c, r) => c.apps.deleteCollectionNamespacedDeployment({ ...r, ...BACKGROUND }),
  },
  {
    group: 'apps',
    resource: 'statefulsets',
    deleteCollection: (c, r) => c.apps.deleteCollectionNamespacedStatefulSet({ ...r, ...BACKGROUND }),
  },
  {
    group: 'batch',
    resource: 'cronjobs',
    deleteCollection: (c, r) => c.batch.deleteCollectionNamespacedCronJob({ ...r, ...BACKGROUND }),
  },
  {
    group: 'batch',
    resource: 'jobs',
    deleteCollection: (c, r) => c.batch.deleteCollectionNamespacedJob({ ...r, ...BACKGROUND }),
  },
  {
    group: '',
    resource: 'services',
    deleteCollection: (c, r) => c.core.deleteCollectionNamespacedService({ ...r, ...BACKGROUND }),
  },
  {
    group: 'networking.k8s.io',
    resource: 'ingresses',
    deleteCollection: (c, r) => c.networking.deleteCollectionNamespacedIngress({ ...r, ...BACKGROUND }),
  },
  {
    group: '',
    resource: 'configmaps',
    deleteCollection: (c, r) => c.core.deleteCollectionNamespacedConfigMap({ ...r, ...BACKGROUND }),
  },
  {
    group: '',
    resource: 'secrets',
    deleteCollection: (c, r) => c.core.deleteCollectionNamespacedSecret({ ...r, ...BACKGROUND }),
  },
  {
    group: '',
    resource: 'persistentvolumeclaims',
    deleteCollection: (c, r) => c.core.deleteCollectionNamespacedPersistentVolumeClaim({ ...r, ...BACKGROUND }),
  },
];

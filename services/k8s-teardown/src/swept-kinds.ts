import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';

/** One deletecollection call: the namespace to sweep and the org's label selector. */
export interface SweepRequest {
  namespace: string;
  labelSelector: string;
}

export interface SweptKind {
  /** The API group ('' for core) and resource, as the ClusterRole in k8s/base/k8s-teardown.yaml names them. */
  group: string;
  resource: string;
  deleteCollection(request: SweepRequest): Promise<unknown>;
}

/** Dependents (a Deployment's ReplicaSets and Pods, a Job's Pods) go too, in the background. */
const BACKGROUND = { propagationPolicy: 'Background' } as const;

/**
 * The kinds swept for objects labelled with the org id. Changing this list means changing the
 * ClusterRole `org-management-k8s-teardown-sweep` to match (the manifests test checks they agree).
 */
export function sweptKinds(kubeConfig: KubeConfig): SweptKind[] {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const networking = kubeConfig.makeApiClient(NetworkingV1Api);
  return [
    { group: 'apps', resource: 'deployments', deleteCollection: (r) => apps.deleteCollectionNamespacedDeployment({ ...r, ...BACKGROUND }) },
    { group: 'apps', resource: 'statefulsets', deleteCollection: (r) => apps.deleteCollectionNamespacedStatefulSet({ ...r, ...BACKGROUND }) },
    { group: 'batch', resource: 'cronjobs', deleteCollection: (r) => batch.deleteCollectionNamespacedCronJob({ ...r, ...BACKGROUND }) },
    { group: 'batch', resource: 'jobs', deleteCollection: (r) => batch.deleteCollectionNamespacedJob({ ...r, ...BACKGROUND }) },
    { group: '', resource: 'services', deleteCollection: (r) => core.deleteCollectionNamespacedService({ ...r, ...BACKGROUND }) },
    { group: 'networking.k8s.io', resource: 'ingresses', deleteCollection: (r) => networking.deleteCollectionNamespacedIngress({ ...r, ...BACKGROUND }) },
    { group: '', resource: 'configmaps', deleteCollection: (r) => core.deleteCollectionNamespacedConfigMap({ ...r, ...BACKGROUND }) },
    { group: '', resource: 'secrets', deleteCollection: (r) => core.deleteCollectionNamespacedSecret({ ...r, ...BACKGROUND }) },
    {
      group: '',
      resource: 'persistentvolumeclaims',
      deleteCollection: (r) => core.deleteCollectionNamespacedPersistentVolumeClaim({ ...r, ...BACKGROUND }),
    },
  ];
}

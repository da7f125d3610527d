import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The subset of `kubectl kustomize` that k8s/ uses, for rendering offline in tests (kustomize and
 * kubectl are not installable here): resources (files and directories), namespace (see
 * setNamespace), images (newName/newTag) and strategic-merge patches (maps merge, a null value deletes the
 * key, lists of named items merge by name, other lists are replaced). An unsupported kustomization field fails the render rather than
 * being ignored.
 */
export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
};

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);

export function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as Manifest;
    })
    .filter(Boolean);
}

export function kustomize(dir: string): Manifest[] {
  const k = readManifests(join(dir, 'kustomization.yaml'))[0] as unknown as Kustomization;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new Error(`${dir}: unsupported kustomization fields ${unsupported.join(', ')}`);
  let manifests = (k.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? kustomize(path) : readManifests(path);
  });
  for (const patch of k.patches ?? []) {
    for (const p of readManifests(join(dir, patch.path))) manifests = applyPatch(manifests, p, dir);
  }
  for (const image of k.images ?? []) manifests.forEach((m) => setImage(m, image));
  if (k.namespace) manifests.forEach((m) => setNamespace(m, k.namespace!));
  return manifests;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

/**
 * As kustomize's namespace transformer: namespaced objects only, and (its default "defaultOnly"
 * mode) the ServiceAccount subjects of role bindings that name the `default` namespace.
 */
function setNamespace(manifest: Manifest, namespace: string): void {
  if (!CLUSTER_SCOPED.has(manifest.kind)) manifest.metadata.namespace = namespace;
  if (manifest.kind !== 'RoleBinding' && manifest.kind !== 'ClusterRoleBinding') return;
  for (const subject of manifest.subjects ?? []) {
    if (subject.kind === 'ServiceAccount' && subject.namespace === 'default') subject.namespace = namespace;
  }
}

function applyPatch(manifests: Manifest[], patch: Manifest, dir: string): Manifest[] {
  const index = manifests.findIndex((m) => m.kind === patch.kind && m.metadata.name === patch.metadata.name);
  if (index < 0) throw new Error(`${dir}: patch targets no ${patch.kind}/${patch.metadata.name}`);
  return manifests.map((m, i) => (i === index ? (merge(m, patch) as Manifest) : m));
}

function isNamedList(value: unknown): value is { name: string }[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && typeof v.name === 'string');
}

export function merge(base: unknown, patch: unknown): unknown {
  if (isNamedList(base) && isNamedList(patch)) {
    const merged = base.map((item) => {
      const match = patch.find((p) => p.name === item.name);
      return match ? merge(item, match) : item;
    });
    return [...merged, ...patch.filter((p) => !base.some((b) => b.name === p.name))];
  }
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in base ? merge(base[key], value) : value;
    }
    return out;
  }
  return patch;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setImage(manifest: Manifest, image: NonNullable<Kustomization['images']>[number]): void {
  for (const container of podContainers(manifest)) {
    const [name, tag] = splitImage(container.image);
    if (name !== image.name) continue;
    container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ''}`;
  }
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

export function podContainers(manifest: Manifest): { name: string; image: string; [k: string]: any }[] {
  return manifest.spec?.template?.spec?.containers ?? [];
}

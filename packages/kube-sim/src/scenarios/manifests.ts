// Load a directory of manifests into a namespace, producing the objects `kubectl apply -n <ns> -f
// <dir>` would send: files in name order, multi-document YAML and List kinds flattened, the
// namespace filled in for namespaced kinds and a conflicting one refused with kubectl's message.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../runtime-contract.ts';

/** A manifest as written by a person: a KubeObject before the server gives it a uid. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
};

/** What scenarios need from a running kube-sim (startKubeSim's handle satisfies it). */
export interface ApplyTarget {
  apply(objects: Manifest[] | KubeObject[] | string, opts?: { namespace?: string }): Promise<unknown>;
  /** Wait until the controllers have acted on what was applied (kube-sim's sim.settle). */
  settle?(): Promise<void>;
}

/** A manifest file that cannot be loaded, naming the file and the reason. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'PersistentVolume',
  'StorageClass',
  'Node',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'VolumeAttachment',
  'CSIDriver',
  'IngressClass',
]);

/** True when objects of this kind live in a namespace. */
export function isNamespaced(kind: string): boolean {
  return !CLUSTER_SCOPED.has(kind);
}

/** Options of readManifests/loadManifests. */
export interface ManifestOptions {
  /** Textual replacements applied to each file before parsing, e.g. { shiqi: 'alice' }. */
  substitute?: Record<string, string>;
  /** Also create the Namespace object first (default true; kubectl would need it to exist). */
  createNamespace?: boolean;
}

/** Parse YAML/JSON text (possibly several documents or a List) into manifests. */
export function parseManifests(text: string, file = '<text>'): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new ManifestError(file, doc.errors[0]?.message ?? 'invalid YAML');
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const items = (value as { kind?: string; items?: unknown[] }).kind?.endsWith('List')
      ? ((value as { items?: unknown[] }).items ?? [])
      : [value];
    for (const item of items) {
      const m = item as Manifest;
      if (typeof m !== 'object' || !m.kind || !m.apiVersion || !m.metadata?.name)
        throw new ManifestError(file, 'every object needs apiVersion, kind and metadata.name');
      out.push(m);
    }
  }
  return out;
}

/** Read every manifest in `dir` for `namespace`, as kubectl apply -n would. */
export function readManifests(dir: string, namespace: string, opts: ManifestOptions = {}): Manifest[] {
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort();
  const out: Manifest[] = [];
  for (const f of files) {
    let text = readFileSync(path.join(dir, f), 'utf8');
    for (const [from, to] of Object.entries(opts.substitute ?? {})) text = text.split(from).join(to);
    for (const m of parseManifests(text, f)) {
      if (isNamespaced(m.kind)) {
        if (m.metadata.namespace && m.metadata.namespace !== namespace) {
          throw new ManifestError(
            f,
            `the namespace from the provided object "${m.metadata.namespace}" does not match the namespace "${namespace}". You must pass '--namespace=${m.metadata.namespace}' to perform this operation.`,
          );
        }
        m.metadata.namespace = namespace;
      }
      out.push(m);
    }
  }
  return out;
}

/** The Namespace object for a namespace name. */
export function namespaceObject(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** Apply every manifest in `dir` into `namespace` (creating the namespace unless told not to); returns what was applied. */
export async function loadManifests(
  sim: ApplyTarget,
  dir: string,
  namespace: string,
  opts: ManifestOptions = {},
): Promise<Manifest[]> {
  const objects = readManifests(dir, namespace, opts);
  const all = opts.createNamespace === false ? objects : [namespaceObject(namespace), ...objects];
  await sim.apply(all);
  return objects;
}

// Small helpers every part of kube-sim uses on untyped Kubernetes objects: the loose object
// type, its spec and status, the API's second-precision timestamps, and "namespace/name" keys.

import type { KubeObject } from './runtime-contract.ts';

/** A JSON object of unknown shape. */
export type Obj = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object's spec, or an empty one. */
export const specOf = (o: KubeObject): Obj => (o.spec ?? {}) as Obj;

/** An object's status, or an empty one. */
export const statusOf = (o: KubeObject): Obj => (o.status ?? {}) as Obj;

/** A time as the API serializes metav1.Time: RFC 3339, whole seconds, UTC ("2026-12-01T14:25:47Z"). */
export function timestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "namespace/name" ("/name" for cluster-scoped objects): work-queue keys and list order. */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** The namespace and name of an objectKey (the name may not contain '/'; the namespace is ''
 * for cluster-scoped objects). */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Add a finalizer to an object unless it has it. */
export function addFinalizer(o: KubeObject, finalizer: string): void {
  const list = Array.isArray(o.metadata.finalizers) ? (o.metadata.finalizers as string[]) : [];
  if (!list.includes(finalizer)) o.metadata.finalizers = [...list, finalizer];
}

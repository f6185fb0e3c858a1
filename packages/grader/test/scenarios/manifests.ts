// Manifests for scenarios: kube-sim's class generator is used only as a pure function that writes
// the chapter's objects for a namespace (correct, or with one of its mistakes); plus small edits
// and the wait steps scenarios share.
import { generateClass, type Mistake } from '@kubegrade/kube-sim';
import type { LabId, Manifest, Step } from './types.ts';

/** The NFS server the shipped labs and the generator use (the chapter's). */
export const NFS_SERVER = '192.168.110.168';

/** A namespace's objects for a lab, correct (mistake null) or with one generated mistake, and those created after `objects` took effect. */
export function studentObjects(
  lab: LabId,
  namespace: string,
  mistake: Mistake | null = null,
  nfsServer = NFS_SERVER,
): { objects: Manifest[]; after: Manifest[] } {
  const spec = generateClass({ students: 1, lab, namespaces: [namespace], mistakes: [mistake], nfsServer });
  const s = spec.students[0];
  return structuredClone({ objects: s?.objects ?? [], after: s?.after ?? [] });
}

/** The correct objects of one student namespace for a lab. */
export function correctObjects(lab: LabId, namespace: string, nfsServer = NFS_SERVER): Manifest[] {
  return studentObjects(lab, namespace, null, nfsServer).objects;
}

/** Sets (or, with undefined, removes) a dotted path such as `spec.claimRef.namespace` in the manifest of `kind`. */
export function edit(objects: Manifest[], kind: string, path: string, value: unknown): void {
  const o = objects.find((m) => m.kind === kind);
  if (!o) throw new Error(`no ${kind} in the manifests`);
  const keys = path.split('.');
  let cur = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    const idx = /^\d+$/.test(k) ? Number(k) : k;
    const next = (cur as Record<string | number, unknown>)[idx];
    if (typeof next !== 'object' || next === null) throw new Error(`${kind}: no ${path}`);
    cur = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] ?? '';
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** Drops the manifests of a kind. */
export function without(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((m) => m.kind !== kind);
}

/** Only the manifests of a kind. */
export function only(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((m) => m.kind === kind);
}

/** Wait until the pod is Ready. */
export function podReady(namespace: string, pod: string, timeoutSeconds?: number): Step {
  return {
    wait: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
      name: pod,
      path: 'status.conditions[?(@.type=="Ready")].status',
      equals: 'True',
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
    },
  };
}

/** Wait until the pod's phase is `phase`. */
export function podPhase(namespace: string, pod: string, phase: string): Step {
  return {
    wait: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod, path: 'status.phase', equals: phase },
  };
}

/** Wait until the claim's phase is `phase`. */
export function pvcPhase(namespace: string, claim: string, phase: string): Step {
  return {
    wait: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace,
      name: claim,
      path: 'status.phase',
      equals: phase,
    },
  };
}

/** Wait until the PV's phase is `phase`. */
export function pvPhase(pv: string, phase: string): Step {
  return {
    wait: { apiVersion: 'v1', kind: 'PersistentVolume', name: pv, path: 'status.phase', equals: phase },
  };
}

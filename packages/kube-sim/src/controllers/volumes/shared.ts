// What the volume controllers share: the annotations they exchange, a claim's and a volume's
// fields (class, size, modes, claimRef), and the claims a pod uses.

import type { Api } from '../../api.ts';
import { storageClassOf } from '../../kinds/persistentvolume.ts';
import { specOf, statusOf, timestamp, type Obj } from '../../object.ts';
import { parseQuantity } from '../../quantity.ts';
import { findResource } from '../../resources.ts';
import type { KubeObject } from '../../runtime-contract.ts';

const PVS = findResource('persistentvolumes')!;

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** The event source of the PV controller (binder and reclaimer). */
export const PV_CONTROLLER = { component: 'persistentvolume-controller' };

/** A PV's spec.claimRef. */
export interface ClaimRef {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

/** The claim's storage class name ('' = static only). */
export const claimClass = storageClassOf;

/** The volume's storage class name ('' = none). */
export const volumeClass = storageClassOf;

/** The storage a claim requests, in bytes (0 when unset). */
export function requestOf(claim: KubeObject): number {
  const r = specOf(claim).resources as { requests?: { storage?: unknown } } | undefined;
  return parseQuantity(r?.requests?.storage) ?? 0;
}

/** The storage a volume offers, in bytes (0 when unset). */
export function capacityOf(pv: KubeObject): number {
  const c = specOf(pv).capacity as { storage?: unknown } | undefined;
  return parseQuantity(c?.storage) ?? 0;
}

/** The access modes of a claim or volume. */
export function modes(o: KubeObject): string[] {
  const m = specOf(o).accessModes;
  return Array.isArray(m) ? m.map(String) : [];
}

/** The volume's claimRef, if any. */
export function claimRefOf(pv: KubeObject): ClaimRef | undefined {
  const r = specOf(pv).claimRef;
  return r && typeof r === 'object' ? (r as ClaimRef) : undefined;
}

/** IsVolumeBoundToClaim: claimRef names the claim and its uid is empty or the claim's. */
export function isVolumeBoundToClaim(pv: KubeObject, claim: KubeObject): boolean {
  const ref = claimRefOf(pv);
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** A claimRef naming the claim (uid and resourceVersion included). */
export function claimRefTo(claim: KubeObject): ClaimRef {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion,
  };
}

/** Names of the claims a pod's volumes reference. */
export function podClaims(pod: KubeObject): string[] {
  const vols = specOf(pod).volumes;
  if (!Array.isArray(vols)) return [];
  const out: string[] = [];
  for (const v of vols as Obj[]) {
    const pvc = v.persistentVolumeClaim as { claimName?: string } | undefined;
    if (pvc?.claimName) out.push(pvc.claimName);
  }
  return out;
}

/** Move a volume to a phase (stamping lastPhaseTransitionTime, dropping a failure message). */
export function setVolumePhase(api: Api, volume: KubeObject, phase: string): void {
  if (statusOf(volume).phase === phase) return;
  api.mutate(PVS, undefined, volume.metadata.name, (v) => {
    v.status = { ...(v.status ?? {}), phase, lastPhaseTransitionTime: timestamp() };
    delete (v.status as Obj).message;
  });
}

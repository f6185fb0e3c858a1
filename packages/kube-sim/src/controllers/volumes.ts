// The PersistentVolume controller (binder and reclaimer), the external dynamic provisioner the
// simulated cluster runs, and the PV/PVC in-use protection controllers. Follows
// pkg/controller/volume/persistentvolume (syncClaim, syncVolume, findMatchingVolume, bind).

import type { Api } from '../api.ts';
import { parseQuantity } from '../quantity.ts';
import { findResource } from '../resources.ts';
import type { KubeObject } from '../runtime-contract.ts';
import { matchesLabels, selectorFromObject } from '../selectors.ts';
import type { StoreEvent } from '../store.ts';
import type { EventRecorder } from './events.ts';
import { WorkQueue } from './queue.ts';

const PVS = findResource('persistentvolumes')!;
const PVCS = findResource('persistentvolumeclaims')!;
const PODS = findResource('pods')!;
const STORAGECLASSES = findResource('storageclasses')!;

const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
const PV_PROTECTION = 'kubernetes.io/pv-protection';

const PV_CONTROLLER = { component: 'persistentvolume-controller' };

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;
const status = (o: KubeObject) => (o.status ?? {}) as Obj;
const claimKey = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

interface ClaimRef {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

/** Settings of the volume controllers. */
export interface VolumeControllerOptions {
  api: Api;
  recorder: EventRecorder;
  provisioners: string[];
  nfsServer: string;
  nfsPath: string;
  onError: (name: string, key: string, err: unknown) => void;
}

/** The claim's storage class name ('' = static only). */
export function claimClass(claim: KubeObject): string {
  const s = spec(claim).storageClassName;
  if (typeof s === 'string') return s;
  return claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

function volumeClass(pv: KubeObject): string {
  const s = spec(pv).storageClassName;
  if (typeof s === 'string') return s;
  return pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

function requestOf(claim: KubeObject): number {
  const r = spec(claim).resources as { requests?: { storage?: unknown } } | undefined;
  return parseQuantity(r?.requests?.storage) ?? 0;
}

function capacityOf(pv: KubeObject): number {
  const c = spec(pv).capacity as { storage?: unknown } | undefined;
  return parseQuantity(c?.storage) ?? 0;
}

function modes(o: KubeObject): string[] {
  const m = spec(o).accessModes;
  return Array.isArray(m) ? m.map(String) : [];
}

function claimRefOf(pv: KubeObject): ClaimRef | undefined {
  const r = spec(pv).claimRef;
  return r && typeof r === 'object' ? (r as ClaimRef) : undefined;
}

/** IsVolumeBoundToClaim: claimRef names the claim and its uid is empty or the claim's. */
function isVolumeBoundToClaim(pv: KubeObject, claim: KubeObject): boolean {
  const ref = claimRefOf(pv);
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** Binder, reclaimer, provisioner and protection controllers for PVs and PVCs. */
export class VolumeControllers {
  readonly claimQueue: WorkQueue;
  readonly volumeQueue: WorkQueue;
  /** claim key -> names of PVs whose claimRef names it */
  private readonly refIndex = new Map<string, Set<string>>();
  /** claims not yet bound, retried when a volume becomes available */
  private readonly unbound = new Set<string>();
  /** volumes with no claimRef: the only candidates for a claim nothing is pre-bound to */
  private readonly free = new Set<string>();
  /** claims for which ExternalProvisioning/WaitForFirstConsumer was already reported this phase */
  private readonly reported = new Set<string>();

  constructor(private readonly o: VolumeControllerOptions) {
    this.claimQueue = new WorkQueue('claims', (k) => this.syncClaim(k), o.onError);
    this.volumeQueue = new WorkQueue('volumes', (k) => this.syncVolume(k), o.onError);
  }

  /** React to a store change. */
  onEvent(ev: StoreEvent): void {
    if (ev.res === PVCS) {
      const key = claimKey(ev.object.metadata.namespace, ev.object.metadata.name);
      if (ev.type === 'DELETED') {
        this.unbound.delete(key);
        this.reported.delete(key);
      }
      this.claimQueue.add(key);
      const vn = spec(ev.object).volumeName;
      if (typeof vn === 'string' && vn) this.volumeQueue.add(vn);
      for (const pv of this.refIndex.get(key) ?? []) this.volumeQueue.add(pv);
    } else if (ev.res === PVS) {
      const name = ev.object.metadata.name;
      const oldRef = ev.old ? claimRefOf(ev.old) : undefined;
      const newRef = ev.type === 'DELETED' ? undefined : claimRefOf(ev.object);
      if (oldRef?.name) this.refIndex.get(claimKey(oldRef.namespace, oldRef.name))?.delete(name);
      if (newRef?.name) {
        const k = claimKey(newRef.namespace, newRef.name);
        if (!this.refIndex.has(k)) this.refIndex.set(k, new Set());
        this.refIndex.get(k)!.add(name);
        this.claimQueue.add(k);
      }
      if (oldRef?.name) this.claimQueue.add(claimKey(oldRef.namespace, oldRef.name));
      if (ev.type !== 'DELETED') this.volumeQueue.add(name);
      if (ev.type !== 'DELETED' && !newRef) this.free.add(name);
      else this.free.delete(name);
      // A volume that is (or may become) free can satisfy any waiting claim.
      const phase = status(ev.object).phase;
      if (ev.type === 'DELETED' || (!newRef && (phase === 'Available' || phase === 'Pending'))) {
        for (const k of this.unbound) this.claimQueue.add(k);
      }
      if (ev.type === 'DELETED') {
        // Bound claims of a deleted volume become Lost.
        for (const k of oldRef?.name ? [claimKey(oldRef.namespace, oldRef.name)] : []) this.claimQueue.add(k);
      }
    } else if (ev.res === PODS) {
      // Pod deletion may release a protected claim; a new consumer may trigger delayed binding.
      for (const claim of podClaims(ev.object)) this.claimQueue.add(claimKey(ev.object.metadata.namespace, claim));
    } else if (ev.res === STORAGECLASSES) {
      for (const k of this.unbound) this.claimQueue.add(k);
    }
  }

  /** Forget state (reset). */
  clear(): void {
    this.claimQueue.clear();
    this.volumeQueue.clear();
    this.refIndex.clear();
    this.unbound.clear();
    this.reported.clear();
    this.free.clear();
  }

  /** Stop the queues. */
  stop(): void {
    this.claimQueue.stop();
    this.volumeQueue.stop();
  }

  private get api() {
    return this.o.api;
  }

  private syncClaim(key: string): void {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const claim = this.api.store.get(PVCS, ns, name);
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) {
      this.protectClaim(claim);
      return;
    }
    if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== 'yes') this.syncUnboundClaim(claim);
    else this.syncBoundClaim(claim);
  }

  private syncUnboundClaim(claim: KubeObject): void {
    const key = claimKey(claim.metadata.namespace, claim.metadata.name);
    const volumeName = spec(claim).volumeName;
    if (!volumeName) {
      const delayBinding = this.shouldDelayBinding(claim);
      const volume = this.findBestMatch(claim, delayBinding);
      if (!volume) {
        this.unbound.add(key);
        this.setClaimPhase(claim, 'Pending');
        if (delayBinding) {
          this.reportOnce(key, 'wffc', () =>
            this.o.recorder.record(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding', PV_CONTROLLER),
          );
        } else if (claimClass(claim) !== '') {
          this.provisionClaim(claim);
        } else {
          this.o.recorder.record(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set', PV_CONTROLLER);
        }
        return;
      }
      this.bind(volume, claim);
      return;
    }
    const volume = this.api.store.get(PVS, undefined, String(volumeName));
    if (!volume) {
      this.unbound.add(key);
      this.setClaimPhase(claim, 'Pending');
      return;
    }
    const ref = claimRefOf(volume);
    if (!ref) {
      const mismatch = this.checkVolumeSatisfyClaim(volume, claim);
      if (mismatch) {
        this.o.recorder.record(claim, 'Warning', 'VolumeMismatch', mismatch, PV_CONTROLLER);
        this.setClaimPhase(claim, 'Pending');
        this.unbound.add(key);
        return;
      }
      this.bind(volume, claim);
    } else if (isVolumeBoundToClaim(volume, claim)) {
      this.bind(volume, claim);
    } else {
      this.unbound.add(key);
      this.setClaimPhase(claim, 'Pending');
    }
  }

  private syncBoundClaim(claim: KubeObject): void {
    const volumeName = spec(claim).volumeName;
    if (!volumeName) {
      this.setClaimPhase(claim, 'Lost');
      this.o.recorder.record(claim, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!', PV_CONTROLLER);
      return;
    }
    const volume = this.api.store.get(PVS, undefined, String(volumeName));
    if (!volume) {
      if (status(claim).phase !== 'Lost') {
        this.setClaimPhase(claim, 'Lost');
        this.o.recorder.record(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!', PV_CONTROLLER);
      }
      return;
    }
    const ref = claimRefOf(volume);
    if (!ref) this.bind(volume, claim);
    else if (ref.uid === claim.metadata.uid) this.bind(volume, claim);
    else if (status(claim).phase !== 'Lost') {
      this.setClaimPhase(claim, 'Lost');
      this.o.recorder.record(claim, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly', PV_CONTROLLER);
    }
  }

  private shouldDelayBinding(claim: KubeObject): boolean {
    if (claim.metadata.annotations?.[ANN_SELECTED_NODE]) return false;
    const cls = claimClass(claim);
    if (!cls) return false;
    const sc = this.api.store.get(STORAGECLASSES, undefined, cls);
    return sc?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  /** findMatchingVolume: a pre-bound volume wins; else the smallest Available one that fits. */
  private findBestMatch(claim: KubeObject, delayBinding: boolean): KubeObject | undefined {
    const requested = requestOf(claim);
    const wanted = modes(claim);
    const cls = claimClass(claim);
    const selector = spec(claim).selector ? selectorFromObject(spec(claim).selector) : undefined;
    const claimMode = String(spec(claim).volumeMode ?? 'Filesystem');
    let best: KubeObject | undefined;
    // Candidates: volumes whose claimRef names this claim, then free volumes (never a full scan).
    const names = new Set([...(this.refIndex.get(claimKey(claim.metadata.namespace, claim.metadata.name)) ?? []), ...this.free]);
    const candidates = [...names]
      .map((n) => this.api.store.get(PVS, undefined, n))
      .filter((v): v is KubeObject => v !== undefined)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    for (const volume of candidates) {
      if (!wanted.every((m) => modes(volume).includes(m))) continue;
      const qty = capacityOf(volume);
      if (String(spec(volume).volumeMode ?? 'Filesystem') !== claimMode) continue;
      if (volume.metadata.deletionTimestamp) continue;
      if (isVolumeBoundToClaim(volume, claim)) {
        if (qty < requested) continue;
        return volume;
      }
      if (delayBinding) continue;
      if (status(volume).phase !== 'Available') continue;
      if (claimRefOf(volume)) continue;
      if (selector && !matchesLabels(selector, volume.metadata.labels)) continue;
      if (volumeClass(volume) !== cls) continue;
      if (qty >= requested && (!best || capacityOf(best) > qty)) best = volume;
    }
    return best;
  }

  private checkVolumeSatisfyClaim(volume: KubeObject, claim: KubeObject): string | undefined {
    if (capacityOf(volume) < requestOf(claim)) return 'requested PV is too small';
    if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
    if (!modes(claim).every((m) => modes(volume).includes(m))) return 'incompatible accessMode';
    return undefined;
  }

  /** Write both sides of a binding: PV claimRef + phase Bound, PVC volumeName + phase Bound. */
  private bind(volume: KubeObject, claim: KubeObject): void {
    const boundByController = !isVolumeBoundToClaim(volume, claim);
    const pv = this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
      const s = (v.spec ??= {}) as Obj;
      const ref = claimRefOf(v);
      if (!ref || ref.uid !== claim.metadata.uid || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) {
        s.claimRef = {
          kind: 'PersistentVolumeClaim',
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
          apiVersion: 'v1',
          resourceVersion: claim.metadata.resourceVersion,
        };
        if (boundByController) v.metadata.annotations = { ...(v.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      }
      v.status = { ...(v.status ?? {}), phase: 'Bound' };
      delete (v.status as Obj).message;
      delete (v.status as Obj).reason;
      (v.status as Obj).lastPhaseTransitionTime ??= nowTs();
      if (status(volume).phase !== 'Bound') (v.status as Obj).lastPhaseTransitionTime = nowTs();
    });
    if (!pv) return;
    const key = claimKey(claim.metadata.namespace, claim.metadata.name);
    this.unbound.delete(key);
    this.reported.delete(key);
    this.api.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (c) => {
      const s = (c.spec ??= {}) as Obj;
      const anns = { ...(c.metadata.annotations ?? {}) };
      if (s.volumeName !== volume.metadata.name) {
        s.volumeName = volume.metadata.name;
        anns[ANN_BOUND_BY_CONTROLLER] = 'yes';
      }
      anns[ANN_BIND_COMPLETED] = 'yes';
      c.metadata.annotations = anns;
      c.status = {
        ...(c.status ?? {}),
        phase: 'Bound',
        accessModes: spec(pv).accessModes,
        capacity: spec(pv).capacity,
      };
    });
  }

  private provisionClaim(claim: KubeObject): void {
    const key = claimKey(claim.metadata.namespace, claim.metadata.name);
    const clsName = claimClass(claim);
    const sc = this.api.store.get(STORAGECLASSES, undefined, clsName);
    if (!sc) {
      this.o.recorder.record(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${clsName}" not found`, PV_CONTROLLER);
      return;
    }
    const provisioner = String(sc.provisioner ?? '');
    if (claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
      this.api.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (c) => {
        c.metadata.annotations = { ...(c.metadata.annotations ?? {}), [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner };
      });
    }
    this.reportOnce(key, 'external', () =>
      this.o.recorder.record(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.`,
        PV_CONTROLLER,
      ),
    );
    if (!this.o.provisioners.includes(provisioner)) return;
    const pvName = `pvc-${claim.metadata.uid}`;
    if (this.api.store.get(PVS, undefined, pvName)) return;
    const source = { component: `${provisioner}_nfs-client-provisioner-kube-sim` };
    this.o.recorder.record(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`, source);
    const request = (spec(claim).resources as { requests?: { storage?: unknown } } | undefined)?.requests?.storage;
    const params = (sc.parameters ?? {}) as Record<string, string>;
    const subdir = params.pathPattern
      ? params.pathPattern
          .replace(/\$\{\.PVC\.namespace\}/g, claim.metadata.namespace ?? '')
          .replace(/\$\{\.PVC\.name\}/g, claim.metadata.name)
      : `${claim.metadata.namespace}-${claim.metadata.name}-${pvName}`;
    this.api.createInternal(PVS, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, uid: '', annotations: { [ANN_PROVISIONED_BY]: provisioner } },
      spec: {
        accessModes: spec(claim).accessModes,
        capacity: { storage: request },
        claimRef: {
          kind: 'PersistentVolumeClaim',
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
          apiVersion: 'v1',
          resourceVersion: claim.metadata.resourceVersion,
        },
        nfs: { server: this.o.nfsServer, path: `${this.o.nfsPath.replace(/\/$/, '')}/${subdir}` },
        persistentVolumeReclaimPolicy: String(sc.reclaimPolicy ?? 'Delete'),
        storageClassName: clsName,
        volumeMode: String(spec(claim).volumeMode ?? 'Filesystem'),
        ...(Array.isArray(sc.mountOptions) ? { mountOptions: sc.mountOptions } : {}),
      },
    });
    this.o.recorder.record(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`, source);
  }

  private syncVolume(name: string): void {
    const volume = this.api.store.get(PVS, undefined, name);
    if (!volume) return;
    if (volume.metadata.deletionTimestamp) {
      this.protectVolume(volume);
      return;
    }
    const ref = claimRefOf(volume);
    if (!ref) {
      this.setVolumePhase(volume, 'Available');
      return;
    }
    if (!ref.uid) {
      this.setVolumePhase(volume, 'Available');
      this.claimQueue.add(claimKey(ref.namespace, ref.name ?? ''));
      return;
    }
    let claim = this.api.store.get(PVCS, ref.namespace, ref.name ?? '');
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
    if (!claim) {
      const phase = status(volume).phase;
      if (phase !== 'Released' && phase !== 'Failed') {
        this.setVolumePhase(volume, 'Released');
      }
      this.reclaim(this.api.store.get(PVS, undefined, name)!);
      return;
    }
    const claimVolume = spec(claim).volumeName;
    if (!claimVolume) {
      this.claimQueue.add(claimKey(claim.metadata.namespace, claim.metadata.name));
      return;
    }
    if (claimVolume === volume.metadata.name) {
      this.setVolumePhase(volume, 'Bound');
      return;
    }
    // The claim is bound to another volume: undo a binding the controller made.
    if (volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === 'yes') {
      this.api.mutate(PVS, undefined, name, (v) => {
        delete (v.spec as Obj).claimRef;
        const anns = { ...(v.metadata.annotations ?? {}) };
        delete anns[ANN_BOUND_BY_CONTROLLER];
        v.metadata.annotations = anns;
        v.status = { ...(v.status ?? {}), phase: 'Available', lastPhaseTransitionTime: nowTs() };
      });
    }
  }

  /** Released volume: Retain keeps it (claimRef with the stale uid); Delete removes it. */
  private reclaim(volume: KubeObject): void {
    const policy = String(spec(volume).persistentVolumeReclaimPolicy ?? 'Retain');
    if (policy === 'Retain') return;
    if (policy === 'Delete') {
      const by = volume.metadata.annotations?.[ANN_PROVISIONED_BY];
      if (by && this.o.provisioners.includes(by)) {
        this.api.delete(PVS, undefined, volume.metadata.name, {});
        return;
      }
      if (status(volume).phase !== 'Failed') {
        const msg = by
          ? `Volume is to be deleted by the external provisioner '${by}', which this cluster does not run`
          : 'error getting deleter volume plugin for volume "' + volume.metadata.name + '": no deletable volume plugin matched';
        this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
          v.status = { ...(v.status ?? {}), phase: 'Failed', message: msg, lastPhaseTransitionTime: nowTs() };
        });
        this.o.recorder.record(volume, 'Warning', 'VolumeFailedDelete', msg, PV_CONTROLLER);
      }
      return;
    }
    if (policy === 'Recycle') {
      this.o.recorder.record(volume, 'Normal', 'RecyclerPod', 'Recycler pod: Successfully assigned recycler pod', PV_CONTROLLER);
      this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
        delete (v.spec as Obj).claimRef;
        v.status = { ...(v.status ?? {}), phase: 'Available', lastPhaseTransitionTime: nowTs() };
      });
    }
  }

  /** pvc-protection: drop the finalizer once no pod uses the claim. */
  private protectClaim(claim: KubeObject): void {
    const fins = (claim.metadata.finalizers as string[] | undefined) ?? [];
    if (!fins.includes(PVC_PROTECTION)) return;
    const inUse = this.api.store
      .list(PODS, claim.metadata.namespace)
      .some((p) => podClaims(p).includes(claim.metadata.name) && !['Succeeded', 'Failed'].includes(String(status(p).phase)));
    if (inUse) return;
    this.api.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (c) => {
      c.metadata.finalizers = fins.filter((f) => f !== PVC_PROTECTION);
    });
  }

  /** pv-protection: drop the finalizer once the volume is not Bound. */
  private protectVolume(volume: KubeObject): void {
    const fins = (volume.metadata.finalizers as string[] | undefined) ?? [];
    if (!fins.includes(PV_PROTECTION)) return;
    if (status(volume).phase === 'Bound') {
      // A bound volume stays until its claim goes; re-check the claim side.
      const ref = claimRefOf(volume);
      const claim = ref ? this.api.store.get(PVCS, ref.namespace, ref.name ?? '') : undefined;
      if (claim && claim.metadata.uid === ref?.uid) return;
      this.setVolumePhase(volume, 'Released');
    }
    this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
      v.metadata.finalizers = fins.filter((f) => f !== PV_PROTECTION);
    });
  }

  private setClaimPhase(claim: KubeObject, phase: string): void {
    if (status(claim).phase === phase) return;
    this.api.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (c) => {
      c.status = { ...(c.status ?? {}), phase };
      if (phase !== 'Bound') {
        delete (c.status as Obj).accessModes;
        delete (c.status as Obj).capacity;
      }
    });
  }

  private setVolumePhase(volume: KubeObject, phase: string): void {
    if (status(volume).phase === phase) return;
    this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
      v.status = { ...(v.status ?? {}), phase, lastPhaseTransitionTime: nowTs() };
      delete (v.status as Obj).message;
    });
  }

  private reportOnce(key: string, what: string, fn: () => void): void {
    const k = `${key}|${what}`;
    if (this.reported.has(k)) return;
    this.reported.add(k);
    fn();
  }
}

/** Names of the claims a pod's volumes reference. */
export function podClaims(pod: KubeObject): string[] {
  const vols = (pod.spec as Obj | undefined)?.volumes;
  if (!Array.isArray(vols)) return [];
  const out: string[] = [];
  for (const v of vols as Obj[]) {
    const pvc = v.persistentVolumeClaim as { claimName?: string } | undefined;
    if (pvc?.claimName) out.push(pvc.claimName);
  }
  return out;
}

function nowTs(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

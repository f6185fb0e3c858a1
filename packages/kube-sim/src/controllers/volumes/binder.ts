// The PersistentVolume controller's binder (pkg/controller/volume/persistentvolume: syncClaim,
// syncVolume, findMatchingVolume, bind): claims bind to the smallest fitting Available volume or
// to the one pre-bound to them, claims of a class wait for their provisioner, deleted volumes
// leave their claims Lost. Its syncs hand deleted objects to the protection controllers
// (protection.ts), claims to provision to the provisioner (provisioner.ts) and Released volumes
// to the reclaimer (reclaimer.ts).

import type { Api } from '../../api.ts';
import {
  objectKey,
  specOf as spec,
  splitKey,
  statusOf as status,
  timestamp,
  type Obj,
} from '../../object.ts';
import { findResource } from '../../resources.ts';
import type { KubeObject } from '../../runtime-contract.ts';
import { matchesLabels, selectorFromObject } from '../../selectors.ts';
import type { StoreEvent } from '../../store.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { WorkQueue } from '../queue.ts';
import { ProtectionControllers } from './protection.ts';
import { Provisioner } from './provisioner.ts';
import { Reclaimer } from './reclaimer.ts';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  PV_CONTROLLER,
  capacityOf,
  claimClass,
  claimRefOf,
  claimRefTo,
  isVolumeBoundToClaim,
  modes,
  podClaims,
  requestOf,
  setVolumePhase,
  volumeClass,
} from './shared.ts';

const PVS = findResource('persistentvolumes')!;
const PVCS = findResource('persistentvolumeclaims')!;
const PODS = findResource('pods')!;
const STORAGECLASSES = findResource('storageclasses')!;
const claimKey = objectKey;

/** The PV controller: binds claims and volumes, asks for provisioning, hands Released volumes to the reclaimer. */
export class PersistentVolumeController implements Controller {
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

  private readonly protection: ProtectionControllers;
  private readonly provisioner: Provisioner;
  private readonly reclaimer: Reclaimer;

  constructor(private readonly o: ControllerContext) {
    this.claimQueue = new WorkQueue('claims', (k) => this.syncClaim(k), o.onError);
    this.volumeQueue = new WorkQueue('volumes', (k) => this.syncVolume(k), o.onError);
    this.protection = new ProtectionControllers(o.api);
    this.provisioner = new Provisioner(o);
    this.reclaimer = new Reclaimer(o.api, o.recorder, o.provisioners);
  }

  get queues() {
    return [this.claimQueue, this.volumeQueue];
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
      for (const claim of podClaims(ev.object))
        this.claimQueue.add(claimKey(ev.object.metadata.namespace, claim));
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

  private get api(): Api {
    return this.o.api;
  }

  private syncClaim(key: string): void {
    const { namespace, name } = splitKey(key);
    const claim = this.api.store.get(PVCS, namespace, name);
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) {
      this.protection.protectClaim(claim);
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
            this.o.recorder.record(
              claim,
              'Normal',
              'WaitForFirstConsumer',
              'waiting for first consumer to be created before binding',
              PV_CONTROLLER,
            ),
          );
        } else if (claimClass(claim) !== '') {
          this.provisionClaim(claim);
        } else {
          this.o.recorder.record(
            claim,
            'Normal',
            'FailedBinding',
            'no persistent volumes available for this claim and no storage class is set',
            PV_CONTROLLER,
          );
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
      this.o.recorder.record(
        claim,
        'Warning',
        'ClaimLost',
        'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
        PV_CONTROLLER,
      );
      return;
    }
    const volume = this.api.store.get(PVS, undefined, String(volumeName));
    if (!volume) {
      if (status(claim).phase !== 'Lost') {
        this.setClaimPhase(claim, 'Lost');
        this.o.recorder.record(
          claim,
          'Warning',
          'ClaimLost',
          'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
          PV_CONTROLLER,
        );
      }
      return;
    }
    const ref = claimRefOf(volume);
    if (!ref) this.bind(volume, claim);
    else if (ref.uid === claim.metadata.uid) this.bind(volume, claim);
    else if (status(claim).phase !== 'Lost') {
      this.setClaimPhase(claim, 'Lost');
      this.o.recorder.record(
        claim,
        'Warning',
        'ClaimMisbound',
        'Two claims are bound to the same volume, this one is bound incorrectly',
        PV_CONTROLLER,
      );
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
    const names = new Set([
      ...(this.refIndex.get(claimKey(claim.metadata.namespace, claim.metadata.name)) ?? []),
      ...this.free,
    ]);
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
      if (
        !ref ||
        ref.uid !== claim.metadata.uid ||
        ref.name !== claim.metadata.name ||
        ref.namespace !== claim.metadata.namespace
      ) {
        s.claimRef = claimRefTo(claim);
        if (boundByController)
          v.metadata.annotations = { ...(v.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      }
      v.status = { ...(v.status ?? {}), phase: 'Bound' };
      delete (v.status as Obj).message;
      delete (v.status as Obj).reason;
      (v.status as Obj).lastPhaseTransitionTime ??= timestamp();
      if (status(volume).phase !== 'Bound') (v.status as Obj).lastPhaseTransitionTime = timestamp();
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
      this.o.recorder.record(
        claim,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${clsName}" not found`,
        PV_CONTROLLER,
      );
      return;
    }
    const provisioner = String(sc.provisioner ?? '');
    if (claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
      this.api.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (c) => {
        c.metadata.annotations = {
          ...(c.metadata.annotations ?? {}),
          [ANN_BETA_STORAGE_PROVISIONER]: provisioner,
          [ANN_STORAGE_PROVISIONER]: provisioner,
        };
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
    this.provisioner.provision(claim, sc);
  }

  private syncVolume(name: string): void {
    const volume = this.api.store.get(PVS, undefined, name);
    if (!volume) return;
    if (volume.metadata.deletionTimestamp) {
      this.protection.protectVolume(volume);
      return;
    }
    const ref = claimRefOf(volume);
    if (!ref) {
      setVolumePhase(this.api, volume, 'Available');
      return;
    }
    if (!ref.uid) {
      setVolumePhase(this.api, volume, 'Available');
      this.claimQueue.add(claimKey(ref.namespace, ref.name ?? ''));
      return;
    }
    let claim = this.api.store.get(PVCS, ref.namespace, ref.name ?? '');
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
    if (!claim) {
      const phase = status(volume).phase;
      if (phase !== 'Released' && phase !== 'Failed') {
        setVolumePhase(this.api, volume, 'Released');
      }
      this.reclaimer.reclaim(this.api.store.get(PVS, undefined, name)!);
      return;
    }
    const claimVolume = spec(claim).volumeName;
    if (!claimVolume) {
      this.claimQueue.add(claimKey(claim.metadata.namespace, claim.metadata.name));
      return;
    }
    if (claimVolume === volume.metadata.name) {
      setVolumePhase(this.api, volume, 'Bound');
      return;
    }
    // The claim is bound to another volume: undo a binding the controller made.
    if (volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === 'yes') {
      this.api.mutate(PVS, undefined, name, (v) => {
        delete (v.spec as Obj).claimRef;
        const anns = { ...(v.metadata.annotations ?? {}) };
        delete anns[ANN_BOUND_BY_CONTROLLER];
        v.metadata.annotations = anns;
        v.status = { ...(v.status ?? {}), phase: 'Available', lastPhaseTransitionTime: timestamp() };
      });
    }
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

  private reportOnce(key: string, what: string, fn: () => void): void {
    const k = `${key}|${what}`;
    if (this.reported.has(k)) return;
    this.reported.add(k);
    fn();
  }
}

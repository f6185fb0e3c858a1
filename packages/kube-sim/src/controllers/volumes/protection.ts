// The storage object in-use protection controllers (pkg/controller/volume/pvcprotection and
// pvprotection): the finalizer admission put on a claim goes once no pod uses it; the one on a
// volume goes once it is not Bound. The PV controller's syncs hand them the objects being deleted.

import type { Api } from '../../api.ts';
import { PV_PROTECTION } from '../../kinds/persistentvolume.ts';
import { PVC_PROTECTION } from '../../kinds/persistentvolumeclaim.ts';
import { specOf, statusOf } from '../../object.ts';
import { findResource } from '../../resources.ts';
import type { KubeObject } from '../../runtime-contract.ts';
import { claimRefOf, podClaims, setVolumePhase } from './shared.ts';

const PVS = findResource('persistentvolumes')!;
const PVCS = findResource('persistentvolumeclaims')!;
const PODS = findResource('pods')!;

/** pvc-protection and pv-protection. */
export class ProtectionControllers {
  constructor(private readonly api: Api) {}

  /** pvc-protection: drop the finalizer once no pod uses the claim. */
  protectClaim(claim: KubeObject): void {
    const fins = (claim.metadata.finalizers as string[] | undefined) ?? [];
    if (!fins.includes(PVC_PROTECTION)) return;
    const inUse = this.api.store
      .list(PODS, claim.metadata.namespace)
      // Upstream podUsesPVC: only a scheduled pod (spec.nodeName set) can use a claim; the kubelet
      // never starts one on a claim that is being deleted.
      .some(
        (p) =>
          Boolean(specOf(p).nodeName) &&
          podClaims(p).includes(claim.metadata.name) &&
          !['Succeeded', 'Failed'].includes(String(statusOf(p).phase)),
      );
    if (inUse) return;
    this.api.mutate(PVCS, claim.metadata.namespace, claim.metadata.name, (c) => {
      c.metadata.finalizers = fins.filter((f) => f !== PVC_PROTECTION);
    });
  }

  /** pv-protection: drop the finalizer once the volume is not Bound (a Bound one whose claim is gone is Released first). */
  protectVolume(volume: KubeObject): void {
    const fins = (volume.metadata.finalizers as string[] | undefined) ?? [];
    if (!fins.includes(PV_PROTECTION)) return;
    if (statusOf(volume).phase === 'Bound') {
      // A bound volume stays until its claim goes; re-check the claim side.
      const ref = claimRefOf(volume);
      const claim = ref ? this.api.store.get(PVCS, ref.namespace, ref.name ?? '') : undefined;
      if (claim && claim.metadata.uid === ref?.uid) return;
      setVolumePhase(this.api, volume, 'Released');
    }
    this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
      v.metadata.finalizers = fins.filter((f) => f !== PV_PROTECTION);
    });
  }
}

// The reclaim half of the PV controller (reclaimVolume): what becomes of a Released volume by its
// persistentVolumeReclaimPolicy. Retain keeps it (claimRef with the stale uid); Delete removes it
// when a provisioner this cluster runs made it, else fails it; Recycle scrubs and frees it.

import type { Api } from '../../api.ts';
import { specOf, statusOf, timestamp, type Obj } from '../../object.ts';
import { findResource } from '../../resources.ts';
import type { KubeObject } from '../../runtime-contract.ts';
import type { EventRecorder } from '../events.ts';
import { ANN_PROVISIONED_BY, PV_CONTROLLER } from './shared.ts';

const PVS = findResource('persistentvolumes')!;

/** Reclaims Released volumes. */
export class Reclaimer {
  constructor(
    private readonly api: Api,
    private readonly recorder: EventRecorder,
    private readonly provisioners: string[],
  ) {}

  /** Apply the volume's reclaim policy. */
  reclaim(volume: KubeObject): void {
    const policy = String(specOf(volume).persistentVolumeReclaimPolicy ?? 'Retain');
    if (policy === 'Retain') return;
    if (policy === 'Delete') {
      const by = volume.metadata.annotations?.[ANN_PROVISIONED_BY];
      if (by && this.provisioners.includes(by)) {
        this.api.delete(PVS, undefined, volume.metadata.name, {});
        return;
      }
      if (statusOf(volume).phase !== 'Failed') {
        const msg = by
          ? `Volume is to be deleted by the external provisioner '${by}', which this cluster does not run`
          : 'error getting deleter volume plugin for volume "' +
            volume.metadata.name +
            '": no deletable volume plugin matched';
        this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
          v.status = {
            ...(v.status ?? {}),
            phase: 'Failed',
            message: msg,
            lastPhaseTransitionTime: timestamp(),
          };
        });
        this.recorder.record(volume, 'Warning', 'VolumeFailedDelete', msg, PV_CONTROLLER);
      }
      return;
    }
    if (policy === 'Recycle') {
      this.recorder.record(
        volume,
        'Normal',
        'RecyclerPod',
        'Recycler pod: Successfully assigned recycler pod',
        PV_CONTROLLER,
      );
      this.api.mutate(PVS, undefined, volume.metadata.name, (v) => {
        delete (v.spec as Obj).claimRef;
        v.status = { ...(v.status ?? {}), phase: 'Available', lastPhaseTransitionTime: timestamp() };
      });
    }
  }
}

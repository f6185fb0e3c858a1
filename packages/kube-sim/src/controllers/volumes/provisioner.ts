// The external dynamic provisioner the simulated cluster runs (nfs-subdir-external-provisioner,
// for the provisioners listed in the options): for a claim the PV controller handed to it, a PV
// `pvc-<claim uid>` on the NFS export, pre-bound to the claim, in a subdirectory named by the
// class's pathPattern (default `<namespace>-<name>-<pv name>`).

import type { Api } from '../../api.ts';
import { objectKey, specOf } from '../../object.ts';
import { findResource } from '../../resources.ts';
import type { KubeObject } from '../../runtime-contract.ts';
import type { EventRecorder } from '../events.ts';
import { ANN_PROVISIONED_BY, claimClass, claimRefTo } from './shared.ts';

const PVS = findResource('persistentvolumes')!;

/** Settings of the provisioner. */
export interface ProvisionerOptions {
  api: Api;
  recorder: EventRecorder;
  provisioners: string[];
  nfsServer: string;
  nfsPath: string;
}

/** Provisions NFS volumes for claims of the classes whose provisioner it is. */
export class Provisioner {
  constructor(private readonly o: ProvisionerOptions) {}

  /** Provision a volume for the claim of StorageClass sc, unless sc is not this provisioner's or the volume exists. */
  provision(claim: KubeObject, sc: KubeObject): void {
    const provisioner = String(sc.provisioner ?? '');
    if (!this.o.provisioners.includes(provisioner)) return;
    const pvName = `pvc-${claim.metadata.uid}`;
    if (this.o.api.store.get(PVS, undefined, pvName)) return;
    const source = { component: `${provisioner}_nfs-client-provisioner-kube-sim` };
    const key = objectKey(claim.metadata.namespace, claim.metadata.name);
    this.o.recorder.record(
      claim,
      'Normal',
      'Provisioning',
      `External provisioner is provisioning volume for claim "${key}"`,
      source,
    );
    const request = (specOf(claim).resources as { requests?: { storage?: unknown } } | undefined)?.requests
      ?.storage;
    const params = (sc.parameters ?? {}) as Record<string, string>;
    const subdir = params.pathPattern
      ? params.pathPattern
          .replace(/\$\{\.PVC\.namespace\}/g, claim.metadata.namespace ?? '')
          .replace(/\$\{\.PVC\.name\}/g, claim.metadata.name)
      : `${claim.metadata.namespace}-${claim.metadata.name}-${pvName}`;
    this.o.api.createInternal(PVS, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, uid: '', annotations: { [ANN_PROVISIONED_BY]: provisioner } },
      spec: {
        accessModes: specOf(claim).accessModes,
        capacity: { storage: request },
        claimRef: claimRefTo(claim),
        nfs: { server: this.o.nfsServer, path: `${this.o.nfsPath.replace(/\/$/, '')}/${subdir}` },
        persistentVolumeReclaimPolicy: String(sc.reclaimPolicy ?? 'Delete'),
        storageClassName: claimClass(claim),
        volumeMode: String(specOf(claim).volumeMode ?? 'Filesystem'),
        ...(Array.isArray(sc.mountOptions) ? { mountOptions: sc.mountOptions } : {}),
      },
    });
    this.o.recorder.record(
      claim,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${pvName}`,
      source,
    );
  }
}

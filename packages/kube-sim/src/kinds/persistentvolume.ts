// PersistentVolume (core/v1): exactly one volume source, capacity and access modes; phase
// Pending on create; the pv-protection finalizer from admission; the source is immutable.

import { setDefault } from '../defaults.ts';
import { cause, type StatusCause } from '../errors.ts';
import { addFinalizer, isObj, specOf, statusOf, type Obj } from '../object.ts';
import { isQuantity } from '../quantity.ts';
import type { KubeObject } from '../runtime-contract.ts';
import { anyOf, HOST_PATH, list, map, NFS, obj, S, top, ANY, UNMODELLED_VOLUME_SOURCES } from '../schema.ts';
import { accessModesString, AGE, age, col, NAME } from '../table.ts';
import { checkAccessModes, MSG_QUANTITY, same, specUpdate, VOLUME_SOURCES } from '../validation.ts';
import { resource, statusSubresource, type Kind } from './kind.ts';

/** The finalizer the pv-protection controller removes once the volume is not Bound. */
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

/** The storage class a PV or PVC names (field, else the beta annotation); '' = none. */
export function storageClassOf(o: KubeObject): string {
  const s = specOf(o).storageClassName;
  if (typeof s === 'string') return s;
  return o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export const persistentVolume: Kind = {
  resource: resource('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv'], {
    hasStatus: true,
    subresources: [statusSubresource('PersistentVolume')],
  }),
  schema: top({
    spec: obj({
      capacity: map(),
      accessModes: list(S),
      claimRef: obj({
        apiVersion: S,
        kind: S,
        name: S,
        namespace: S,
        uid: S,
        resourceVersion: S,
        fieldPath: S,
      }),
      persistentVolumeReclaimPolicy: S,
      storageClassName: S,
      mountOptions: list(S),
      volumeMode: S,
      nodeAffinity: ANY,
      volumeAttributesClassName: S,
      nfs: NFS,
      hostPath: HOST_PATH,
      local: obj({ path: S, fsType: S }),
      ...anyOf(
        UNMODELLED_VOLUME_SOURCES.filter(
          (s) =>
            !['secret', 'configMap', 'downwardAPI', 'projected', 'gitRepo', 'ephemeral', 'image'].includes(s),
        ),
      ),
    }),
  }),
  printer: {
    columns: [
      NAME,
      col('Capacity'),
      col('Access Modes'),
      col('Reclaim Policy'),
      col('Status'),
      col('Claim'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Reason'),
      AGE,
      col('VolumeMode', { priority: 1 }),
    ],
    row: (pv) => {
      const spec = specOf(pv);
      const status = statusOf(pv);
      const claimRef = isObj(spec.claimRef) ? spec.claimRef : undefined;
      return [
        pv.metadata.name,
        isObj(spec.capacity) ? String(spec.capacity.storage ?? '') : '',
        accessModesString(spec.accessModes),
        String(spec.persistentVolumeReclaimPolicy ?? ''),
        pv.metadata.deletionTimestamp ? 'Terminating' : String(status.phase ?? ''),
        claimRef ? `${String(claimRef.namespace ?? '')}/${String(claimRef.name ?? '')}` : '',
        storageClassOf(pv),
        spec.volumeAttributesClassName ? String(spec.volumeAttributesClassName) : '<unset>',
        String(status.reason ?? ''),
        age(pv.metadata.creationTimestamp),
        spec.volumeMode ? String(spec.volumeMode) : '<unset>',
      ];
    },
  },
  defaults(pv) {
    if (!pv.spec) return;
    setDefault(pv.spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(pv.spec, 'volumeMode', 'Filesystem');
  },
  prepareForCreate(pv) {
    pv.status = { phase: 'Pending' };
  },
  // StorageObjectInUseProtection admission.
  admit(pv) {
    addFinalizer(pv, PV_PROTECTION);
  },
  validate(pv) {
    const out: StatusCause[] = [];
    const spec = pv.spec as Obj | undefined;
    if (!spec) {
      out.push(cause.required('spec.capacity'), cause.required('spec.accessModes'));
      return out;
    }
    const cap = isObj(spec.capacity) ? spec.capacity : undefined;
    if (!cap || cap.storage === undefined) out.push(cause.required('spec.capacity'));
    else if (!isQuantity(cap.storage))
      out.push(cause.invalid('spec.capacity[storage]', cap.storage, MSG_QUANTITY));
    checkAccessModes('spec.accessModes', spec.accessModes, out, '');
    const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined);
    if (sources.length === 0) out.push(cause.required('spec', 'must specify a volume type'));
    if (sources.length > 1)
      out.push(cause.forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
    if (isObj(spec.nfs)) {
      if (!spec.nfs.server) out.push(cause.required('spec.nfs.server'));
      if (!spec.nfs.path) out.push(cause.required('spec.nfs.path'));
      else if (!String(spec.nfs.path).startsWith('/'))
        out.push(cause.invalid('spec.nfs.path', spec.nfs.path, 'must be an absolute path'));
    }
    const policy = spec.persistentVolumeReclaimPolicy;
    if (policy !== undefined && !['Delete', 'Recycle', 'Retain'].includes(String(policy))) {
      out.push(
        cause.unsupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']),
      );
    }
    if (isObj(spec.claimRef)) {
      if (!spec.claimRef.name) out.push(cause.required('spec.claimRef.name'));
      if (!spec.claimRef.namespace) out.push(cause.required('spec.claimRef.namespace'));
    }
    return out;
  },
  validateUpdate: specUpdate((ns, os) => {
    for (const src of VOLUME_SOURCES) {
      if (!same(ns[src], os[src]))
        return [
          cause.forbidden(
            'spec.persistentvolumesource',
            'spec.persistentvolumesource is immutable after creation',
          ),
        ];
    }
    return [];
  }),
};

// PersistentVolumeClaim (core/v1): access modes and a storage request; phase Pending on create;
// admission fills the default StorageClass and adds the pvc-protection finalizer; the spec is
// immutable but for what binding fills once.

import { setDefault } from '../defaults.ts';
import { cause, type StatusCause } from '../errors.ts';
import { addFinalizer, isObj, specOf, statusOf, type Obj } from '../object.ts';
import { isQuantity } from '../quantity.ts';
import { PVC_SPEC, top } from '../schema.ts';
import { accessModesString, AGE, age, col, NAME } from '../table.ts';
import { checkAccessModes, MSG_QUANTITY, same, specUpdate } from '../validation.ts';
import { resource, statusSubresource, type Kind } from './kind.ts';
import { storageClassOf } from './persistentvolume.ts';
import { IS_DEFAULT_CLASS, storageClass } from './storageclass.ts';

/** The finalizer the pvc-protection controller removes once no pod uses the claim. */
export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';

export const persistentVolumeClaim: Kind = {
  resource: resource('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], {
    hasStatus: true,
    subresources: [statusSubresource('PersistentVolumeClaim')],
  }),
  schema: top({ spec: PVC_SPEC }),
  printer: {
    columns: [
      NAME,
      col('Status'),
      col('Volume'),
      col('Capacity'),
      col('Access Modes'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      AGE,
      col('VolumeMode', { priority: 1 }),
    ],
    row: (pvc) => {
      const spec = specOf(pvc);
      const status = statusOf(pvc);
      const bound = Boolean(spec.volumeName);
      return [
        pvc.metadata.name,
        pvc.metadata.deletionTimestamp ? 'Terminating' : String(status.phase ?? ''),
        String(spec.volumeName ?? ''),
        bound && isObj(status.capacity) ? String(status.capacity.storage ?? '') : '',
        bound ? accessModesString(status.accessModes) : '',
        storageClassOf(pvc),
        status.currentVolumeAttributesClassName ? String(status.currentVolumeAttributesClassName) : '<unset>',
        age(pvc.metadata.creationTimestamp),
        spec.volumeMode ? String(spec.volumeMode) : '<unset>',
      ];
    },
  },
  defaults(pvc) {
    if (!pvc.spec) return;
    setDefault(pvc.spec, 'volumeMode', 'Filesystem');
  },
  prepareForCreate(pvc) {
    pvc.status = { phase: 'Pending' };
  },
  // DefaultStorageClass (the newest default class) and StorageObjectInUseProtection admission.
  admit(pvc, { store }) {
    const spec = (pvc.spec ?? {}) as Obj;
    if (spec.storageClassName === undefined || spec.storageClassName === null) {
      const def = store
        .list(storageClass.resource)
        .filter((sc) => sc.metadata.annotations?.[IS_DEFAULT_CLASS] === 'true')
        .sort((a, b) =>
          String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
        )[0];
      if (def) spec.storageClassName = def.metadata.name;
    }
    addFinalizer(pvc, PVC_PROTECTION);
  },
  validate(pvc) {
    const out: StatusCause[] = [];
    const spec = pvc.spec as Obj | undefined;
    if (!spec) {
      out.push(
        cause.required('spec.accessModes', 'at least 1 access mode is required'),
        cause.required('spec.resources[storage]'),
      );
      return out;
    }
    checkAccessModes('spec.accessModes', spec.accessModes, out, 'at least 1 access mode is required');
    const req =
      isObj(spec.resources) && isObj(spec.resources.requests) ? spec.resources.requests.storage : undefined;
    if (req === undefined) out.push(cause.required('spec.resources[storage]'));
    else if (!isQuantity(req)) out.push(cause.invalid('spec.resources[storage]', req, MSG_QUANTITY));
    return out;
  },
  validateUpdate: specUpdate((ns, os) => {
    const strip = (s: Obj) => {
      const c: Obj = { ...s };
      delete c.volumeAttributesClassName;
      if (isObj(c.resources)) c.resources = { ...c.resources, requests: undefined };
      // Binding may set volumeName once, and the default class may fill storageClassName once.
      if (!os.volumeName) delete c.volumeName;
      if (os.storageClassName === undefined) delete c.storageClassName;
      return c;
    };
    if (same(strip(ns), strip(os))) return [];
    return [
      cause.forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    ];
  }),
};

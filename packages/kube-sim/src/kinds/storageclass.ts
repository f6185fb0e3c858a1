// StorageClass (storage.k8s.io/v1): provisioner, reclaim policy and binding mode, all immutable.

import { setDefault } from '../defaults.ts';
import { cause, type StatusCause } from '../errors.ts';
import { list, map, S, top, ANY } from '../schema.ts';
import { AGE, age, col, NAME } from '../table.ts';
import { same } from '../validation.ts';
import { resource, type Kind } from './kind.ts';

/** The annotation that makes a StorageClass the default for claims that name none. */
export const IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

export const storageClass: Kind = {
  resource: resource('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  schema: top({
    provisioner: S,
    parameters: map(),
    reclaimPolicy: S,
    mountOptions: list(S),
    allowVolumeExpansion: S,
    volumeBindingMode: S,
    allowedTopologies: ANY,
  }),
  printer: {
    columns: [
      NAME,
      col('Provisioner'),
      col('ReclaimPolicy'),
      col('VolumeBindingMode'),
      col('AllowVolumeExpansion'),
      AGE,
    ],
    row: (sc) => [
      sc.metadata.annotations?.[IS_DEFAULT_CLASS] === 'true'
        ? `${sc.metadata.name} (default)`
        : sc.metadata.name,
      String(sc.provisioner ?? ''),
      String(sc.reclaimPolicy ?? 'Delete'),
      String(sc.volumeBindingMode ?? 'Immediate'),
      String(sc.allowVolumeExpansion ?? false),
      age(sc.metadata.creationTimestamp),
    ],
  },
  defaults(sc) {
    setDefault(sc, 'reclaimPolicy', 'Delete');
    setDefault(sc, 'volumeBindingMode', 'Immediate');
  },
  validate(sc) {
    const out: StatusCause[] = [];
    if (!sc.provisioner) out.push(cause.required('provisioner'));
    const mode = sc.volumeBindingMode;
    if (mode !== undefined && !['Immediate', 'WaitForFirstConsumer'].includes(String(mode))) {
      out.push(cause.unsupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
    }
    return out;
  },
  validateUpdate(next, old) {
    const out: StatusCause[] = [];
    for (const f of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']) {
      if (!same(next[f], old[f])) out.push(cause.forbidden(f, 'updates to ' + f + ' are forbidden.'));
    }
    return out;
  },
};

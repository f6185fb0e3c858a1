// StatefulSet (apps/v1): defaults, a selector that matches the template, claim templates that
// count as volumes of the pod template, generation bumped on spec changes, the fields an update
// may change, and the scale subresource.

import { podSpecDefaults, setDefault } from '../defaults.ts';
import { cause, type StatusCause } from '../errors.ts';
import { isObj, specOf, statusOf, type Obj } from '../object.ts';
import type { KubeObject } from '../runtime-contract.ts';
import { LABEL_SELECTOR, list, obj, OBJECT_META, POD_SPEC, PVC_SPEC, S, top, ANY } from '../schema.ts';
import { matchesLabels, selectorFromObject } from '../selectors.ts';
import { AGE, age, col, NAME } from '../table.ts';
import {
  checkAccessModes,
  checkPodSpec,
  isDnsLabel,
  isDnsSubdomain,
  MSG_LABEL,
  nameIsDnsSubdomain,
  same,
  specUpdate,
} from '../validation.ts';
import { resource, statusSubresource, type Kind } from './kind.ts';

const UPDATABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

export const statefulSet: Kind = {
  resource: resource('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], {
    hasStatus: true,
    categories: ['all'],
    subresources: [
      statusSubresource('StatefulSet'),
      {
        name: 'scale',
        kind: 'Scale',
        group: 'autoscaling',
        version: 'v1',
        verbs: ['get', 'patch', 'update'],
      },
    ],
  }),
  schema: top({
    spec: obj({
      replicas: S,
      selector: LABEL_SELECTOR,
      template: obj({ metadata: OBJECT_META, spec: POD_SPEC }),
      volumeClaimTemplates: list(
        obj({ apiVersion: S, kind: S, metadata: OBJECT_META, spec: PVC_SPEC, status: ANY }),
      ),
      serviceName: S,
      podManagementPolicy: S,
      updateStrategy: ANY,
      revisionHistoryLimit: S,
      minReadySeconds: S,
      persistentVolumeClaimRetentionPolicy: obj({ whenDeleted: S, whenScaled: S }),
      ordinals: obj({ start: S }),
    }),
  }),
  printer: {
    columns: [
      NAME,
      col('Ready', { description: 'Number of the pod with ready state' }),
      AGE,
      col('Containers', { priority: 1 }),
      col('Images', { priority: 1 }),
    ],
    row: (sts) => {
      const spec = specOf(sts);
      const status = statusOf(sts);
      const tspec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
      const containers = (Array.isArray(tspec.containers) ? tspec.containers : []) as Obj[];
      return [
        sts.metadata.name,
        `${Number(status.readyReplicas ?? 0)}/${Number(spec.replicas ?? 1)}`,
        age(sts.metadata.creationTimestamp),
        containers.map((c) => String(c.name)).join(','),
        containers.map((c) => String(c.image)).join(','),
      ];
    },
  },
  // Its pods are named after it, so the name must also be a DNS label.
  validateName: (name) => [
    ...nameIsDnsSubdomain(name),
    ...(isDnsSubdomain(name) && !isDnsLabel(name) ? [cause.invalid('metadata.name', name, MSG_LABEL)] : []),
  ],
  defaults(sts) {
    const spec = sts.spec;
    if (!spec) return;
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
    if (isObj(spec.template)) {
      const t = spec.template;
      setDefault(t, 'metadata', {});
      podSpecDefaults(t.spec);
    }
    if (Array.isArray(spec.volumeClaimTemplates)) {
      for (const vct of spec.volumeClaimTemplates) {
        if (!isObj(vct)) continue;
        setDefault(vct, 'apiVersion', 'v1');
        setDefault(vct, 'kind', 'PersistentVolumeClaim');
        if (isObj(vct.spec)) setDefault(vct.spec, 'volumeMode', 'Filesystem');
        setDefault(vct, 'status', { phase: 'Pending' });
      }
    }
  },
  prepareForCreate(sts) {
    sts.status = { replicas: 0, availableReplicas: 0 };
    sts.metadata.generation = 1;
  },
  validate(sts) {
    const out: StatusCause[] = [];
    const spec = sts.spec as Obj | undefined;
    if (!spec) {
      out.push(cause.required('spec.selector'));
      return out;
    }
    if (!isObj(spec.selector)) out.push(cause.required('spec.selector'));
    const template = isObj(spec.template) ? spec.template : undefined;
    const tlabels =
      template && isObj(template.metadata)
        ? (template.metadata.labels as Record<string, string> | undefined)
        : undefined;
    if (isObj(spec.selector)) {
      const sel = selectorFromObject(spec.selector);
      if (sel.requirements.length === 0)
        out.push(cause.invalid('spec.selector', spec.selector, 'empty selector is invalid for statefulset'));
      else if (!matchesLabels(sel, tlabels)) {
        out.push(
          cause.invalid(
            'spec.template.metadata.labels',
            tlabels ?? {},
            '`selector` does not match template `labels`',
          ),
        );
      }
    }
    const replicas = spec.replicas;
    if (
      replicas !== undefined &&
      (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas))
    ) {
      out.push(cause.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
    }
    const restart = template && isObj(template.spec) ? template.spec.restartPolicy : undefined;
    if (restart !== undefined && restart !== 'Always')
      out.push(cause.unsupported('spec.template.spec.restartPolicy', restart, ['Always']));
    if (template) {
      // The claim templates count as volumes of the pod template (for its volumeMounts).
      const tspec = template.spec;
      const withClaims = isObj(tspec)
        ? {
            ...tspec,
            volumes: [
              ...((tspec.volumes as unknown[]) ?? []),
              ...claimTemplateNames(sts).map((n) => ({ name: n })),
            ],
          }
        : tspec;
      checkPodSpec('spec.template.spec', withClaims, out);
    } else out.push(cause.required('spec.template.spec.containers'));
    if (Array.isArray(spec.volumeClaimTemplates)) {
      spec.volumeClaimTemplates.forEach((vct, i) => {
        const p = `spec.volumeClaimTemplates[${i}]`;
        if (!isObj(vct)) return;
        const vspec = isObj(vct.spec) ? vct.spec : {};
        checkAccessModes(
          `${p}.spec.accessModes`,
          vspec.accessModes,
          out,
          'at least 1 access mode is required',
        );
        const req =
          isObj(vspec.resources) && isObj(vspec.resources.requests)
            ? vspec.resources.requests.storage
            : undefined;
        if (req === undefined) out.push(cause.required(`${p}.spec.resources[storage]`));
      });
    }
    return out;
  },
  prepareForUpdate(next, old) {
    if (JSON.stringify(next.spec) !== JSON.stringify(old.spec)) {
      next.metadata.generation =
        (typeof old.metadata.generation === 'number' ? old.metadata.generation : 1) + 1;
    }
  },
  validateUpdate: specUpdate((ns, os) => {
    const strip = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k]) => !UPDATABLE.includes(k)));
    if (same(strip(ns), strip(os))) return [];
    return [
      cause.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    ];
  }),
};

/** Names of a StatefulSet's claim templates. */
function claimTemplateNames(sts: KubeObject): string[] {
  const vcts = specOf(sts).volumeClaimTemplates;
  if (!Array.isArray(vcts)) return [];
  return vcts
    .map((v) => (isObj(v) && isObj(v.metadata) ? String(v.metadata.name ?? '') : ''))
    .filter(Boolean);
}

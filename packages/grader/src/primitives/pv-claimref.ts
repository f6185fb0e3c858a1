// PV pre-bound by spec.claimRef to the right claim name AND namespace, with the taught attributes.
import { z } from 'zod';
import { parseQuantity, quantitiesEqual, sameSet } from '../quantity.ts';
import { byName } from './common.ts';
import type { Primitive } from './registry.ts';

const params = z.strictObject({
  pv: z.string().min(1),
  claimName: z.string().min(1),
  claimNamespace: z.string().min(1),
  capacity: z
    .string()
    .refine((s) => parseQuantity(s) !== undefined, 'not a Kubernetes quantity')
    .optional(),
  accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'])).min(1).optional(),
  reclaimPolicy: z.enum(['Retain', 'Delete', 'Recycle']).optional(),
  nfs: z.strictObject({ server: z.string().min(1).optional(), path: z.string().min(1).optional() }).optional(),
});

/** Parameters of pv-claimref. */
export type PvClaimRefParams = z.infer<typeof params>;

/** pv-claimref: the PV exists, is pre-bound to the claim by name and namespace, and has the taught attributes. */
export const pvClaimRef: Primitive<PvClaimRefParams> = {
  name: 'pv-claimref',
  description: 'PersistentVolume pre-bound by spec.claimRef (name and namespace) with the expected capacity, access modes, reclaim policy and NFS source',
  params,
  defaultTimeoutSeconds: 30,
  async run(ctx, p) {
    const pvs = await ctx.cluster.persistentVolumes(ctx.signal);
    const pv = byName(pvs, p.pv);
    if (!pv) {
      const claimingIt = pvs.filter((v) => v.spec?.claimRef?.name === p.claimName).map((v) => v.metadata?.name);
      return {
        status: 'fail',
        message: `PV ${p.pv} not found`,
        hint: 'pv-missing',
        evidence: { expected: { pv: p.pv }, found: { pv: null, otherPvsClaimingTheClaim: claimingIt } },
      };
    }
    const ref = pv.spec?.claimRef;
    const found = {
      claimRef: ref ? { name: ref.name ?? null, namespace: ref.namespace ?? null, uid: ref.uid ?? null } : null,
      capacity: pv.spec?.capacity?.storage ?? null,
      accessModes: pv.spec?.accessModes ?? [],
      reclaimPolicy: pv.spec?.persistentVolumeReclaimPolicy ?? null,
      nfs: pv.spec?.nfs ? { server: pv.spec.nfs.server, path: pv.spec.nfs.path } : null,
      phase: pv.status?.phase ?? null,
    };
    const expected = {
      claimRef: { name: p.claimName, namespace: p.claimNamespace },
      capacity: p.capacity,
      accessModes: p.accessModes,
      reclaimPolicy: p.reclaimPolicy,
      nfs: p.nfs,
    };
    const evidence = { pv: p.pv, expected, found };
    if (!ref || (!ref.name && !ref.namespace)) {
      return { status: 'fail', message: `PV ${p.pv} has no spec.claimRef (expected ${p.claimNamespace}/${p.claimName})`, hint: 'claimref-missing', evidence };
    }
    if (ref.namespace !== p.claimNamespace) {
      return {
        status: 'fail',
        message: `PV ${p.pv} claimRef.namespace is ${JSON.stringify(ref.namespace ?? null)}, expected ${JSON.stringify(p.claimNamespace)}`,
        hint: 'claimref-namespace-wrong',
        evidence,
      };
    }
    if (ref.name !== p.claimName) {
      return {
        status: 'fail',
        message: `PV ${p.pv} claimRef.name is ${JSON.stringify(ref.name ?? null)}, expected ${JSON.stringify(p.claimName)}`,
        hint: 'claimref-name-wrong',
        evidence,
      };
    }
    const wrong: string[] = [];
    if (p.capacity !== undefined && !quantitiesEqual(found.capacity, p.capacity)) wrong.push(`capacity ${found.capacity ?? 'unset'} (expected ${p.capacity})`);
    if (p.accessModes && !sameSet(found.accessModes, p.accessModes))
      wrong.push(`accessModes [${found.accessModes.join(', ')}] (expected [${p.accessModes.join(', ')}])`);
    if (p.reclaimPolicy && found.reclaimPolicy !== p.reclaimPolicy) wrong.push(`reclaim policy ${found.reclaimPolicy ?? 'unset'} (expected ${p.reclaimPolicy})`);
    if (p.nfs) {
      if (!found.nfs) wrong.push('no NFS source (expected nfs)');
      else {
        if (p.nfs.server && found.nfs.server !== p.nfs.server) wrong.push(`nfs.server ${found.nfs.server} (expected ${p.nfs.server})`);
        if (p.nfs.path && found.nfs.path.replace(/\/+$/, '') !== p.nfs.path.replace(/\/+$/, '')) wrong.push(`nfs.path ${found.nfs.path} (expected ${p.nfs.path})`);
      }
    }
    if (wrong.length > 0) {
      return { status: 'fail', message: `PV ${p.pv} is pre-bound correctly but has the wrong ${wrong.join('; ')}`, hint: 'pv-attributes-wrong', evidence: { ...evidence, wrong } };
    }
    return { status: 'pass', message: `PV ${p.pv} is pre-bound to ${p.claimNamespace}/${p.claimName} with the expected attributes`, evidence };
  },
};

// PV pre-bound by spec.claimRef to the right claim name AND namespace, with the taught attributes.
import { z } from 'zod';
import { parseQuantity, quantitiesEqual, sameSet } from '../quantity.ts';
import { byName, terminating, terminatingDetail } from './common.ts';
import { msg, semicolonList, type Message } from '../messages.ts';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { definePrimitive } from './define.ts';
import { fail, pass } from './outcome.ts';
import type { Outcome } from './registry.ts';

const params = z.strictObject({
  pv: z.string().min(1),
  claimName: z.string().min(1),
  claimNamespace: z.string().min(1),
  capacity: z
    .string()
    .refine((s) => parseQuantity(s) !== undefined, 'not a Kubernetes quantity')
    .optional(),
  accessModes: z
    .array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']))
    .min(1)
    .optional(),
  reclaimPolicy: z.enum(['Retain', 'Delete', 'Recycle']).optional(),
  nfs: z
    .strictObject({ server: z.string().min(1).optional(), path: z.string().min(1).optional() })
    .optional(),
});

/** Parameters of pv-claimref. */
export type PvClaimRefParams = z.infer<typeof params>;

/** What pv-claimref reads: the PersistentVolume the lab names. */
export interface PvClaimRefFacts {
  /** The named PV alone, or every PV when it does not exist (the evidence names those claiming the claim). */
  pvs: V1PersistentVolume[];
}

/** pv-claimref: the PV exists, is pre-bound to the claim by name and namespace, and has the taught attributes. */
export const pvClaimRef = definePrimitive<PvClaimRefParams, PvClaimRefFacts>({
  name: 'pv-claimref',
  description:
    'PersistentVolume pre-bound by spec.claimRef (name and namespace) with the expected capacity, access modes, reclaim policy and NFS source',
  params,
  defaultTimeoutSeconds: 30,
  gather: async (ctx, p) => {
    const pv = await ctx.cluster.persistentVolume(p.pv, ctx.signal);
    return { pvs: pv ? [pv] : await ctx.cluster.persistentVolumes(ctx.signal) };
  },
  judge: judgePvClaimRef,
});

/** pv-claimref's verdict on the PersistentVolumes. */
export function judgePvClaimRef({ pvs }: PvClaimRefFacts, p: PvClaimRefParams): Outcome {
  const pv = byName(pvs, p.pv);
  if (!pv) {
    const claimingIt = pvs.filter((v) => v.spec?.claimRef?.name === p.claimName).map((v) => v.metadata?.name);
    return fail(msg('pv.missing', { pv: p.pv }), 'pv-missing', {
      expected: { pv: p.pv },
      found: { pv: null, otherPvsClaimingTheClaim: claimingIt },
    });
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
    return fail(
      msg('pv.no-claimref', { pv: p.pv, namespace: p.claimNamespace, claim: p.claimName }),
      'claimref-missing',
      evidence,
    );
  }
  if (terminating(pv))
    return fail(
      msg('pv.terminating', { pv: p.pv, detail: terminatingDetail(pv) }),
      'pv-terminating',
      evidence,
    );
  if (
    (ref.namespace !== p.claimNamespace || ref.name !== p.claimName) &&
    ref.uid &&
    pv.status?.phase === 'Bound' &&
    pv.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'] === 'yes'
  ) {
    return fail(
      msg('pv.taken', {
        pv: p.pv,
        foundNamespace: ref.namespace ?? '?',
        foundClaim: ref.name ?? '?',
        namespace: p.claimNamespace,
        claim: p.claimName,
      }),
      'shared-pv-taken',
      evidence,
    );
  }
  if (ref.namespace !== p.claimNamespace) {
    return fail(
      msg('pv.claimref-namespace', {
        pv: p.pv,
        found: JSON.stringify(ref.namespace ?? null),
        expected: JSON.stringify(p.claimNamespace),
      }),
      'claimref-namespace-wrong',
      evidence,
    );
  }
  if (ref.name !== p.claimName) {
    return fail(
      msg('pv.claimref-name', {
        pv: p.pv,
        found: JSON.stringify(ref.name ?? null),
        expected: JSON.stringify(p.claimName),
      }),
      'claimref-name-wrong',
      evidence,
    );
  }
  const wrong: Message[] = [];
  if (p.capacity !== undefined && !quantitiesEqual(found.capacity, p.capacity))
    wrong.push(msg('pv.wrong-capacity', { found: found.capacity ?? msg('unset'), expected: p.capacity }));
  if (p.accessModes && !sameSet(found.accessModes, p.accessModes))
    wrong.push(
      msg('pv.wrong-access-modes', {
        found: found.accessModes.join(', '),
        expected: p.accessModes.join(', '),
      }),
    );
  if (p.reclaimPolicy && found.reclaimPolicy !== p.reclaimPolicy)
    wrong.push(
      msg('pv.wrong-reclaim-policy', {
        found: found.reclaimPolicy ?? msg('unset'),
        expected: p.reclaimPolicy,
      }),
    );
  if (p.nfs) {
    if (!found.nfs) wrong.push(msg('pv.wrong-no-nfs'));
    else {
      if (p.nfs.server && found.nfs.server !== p.nfs.server)
        wrong.push(msg('pv.wrong-nfs-server', { found: found.nfs.server, expected: p.nfs.server }));
      if (p.nfs.path && found.nfs.path.replace(/\/+$/, '') !== p.nfs.path.replace(/\/+$/, ''))
        wrong.push(msg('pv.wrong-nfs-path', { found: found.nfs.path, expected: p.nfs.path }));
    }
  }
  if (wrong.length > 0)
    return fail(
      msg('pv.attributes-wrong', { pv: p.pv, wrong: semicolonList(wrong) }),
      'pv-attributes-wrong',
      { ...evidence, wrong },
    );
  return pass(msg('pv.pass', { pv: p.pv, namespace: p.claimNamespace, claim: p.claimName }), evidence);
}

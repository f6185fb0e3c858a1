// A claim Bound with two-sided agreement (PVC.spec.volumeName names the PV, the PV's claimRef.uid is
// the PVC's uid), static or dynamically provisioned; a Pending claim gets a diagnosis.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { z } from 'zod';
import { compareQuantities, isSubset } from '../quantity.ts';
import type { HintKey } from '../hints.ts';
import { byName, untilSettled, type Verdict } from './common.ts';
import type { CheckContext, Primitive } from './registry.ts';

export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

const params = z.strictObject({
  claim: z.string().min(1),
  /** The static PV the claim must be bound to. */
  pv: z.string().min(1).optional(),
  /** Expect a dynamically provisioned PV (lab C). */
  dynamic: z.strictObject({ storageClass: z.string().min(1).optional(), provisioner: z.string().min(1).optional() }).optional(),
  /** How long a Pending claim with no visible cause may take to bind before it fails. */
  settleSeconds: z.number().min(0).max(600).default(10),
});

/** Parameters of pvc-bound. */
export type PvcBoundParams = z.infer<typeof params>;

function pvcFacts(pvc: V1PersistentVolumeClaim) {
  return {
    name: pvc.metadata?.name,
    uid: pvc.metadata?.uid,
    phase: pvc.status?.phase ?? null,
    volumeName: pvc.spec?.volumeName ?? null,
    storageClassName: pvc.spec?.storageClassName === undefined ? null : pvc.spec.storageClassName,
    accessModes: pvc.spec?.accessModes ?? [],
    request: pvc.spec?.resources?.requests?.storage ?? null,
  };
}

function pvFacts(pv: V1PersistentVolume | undefined) {
  if (!pv) return null;
  return {
    name: pv.metadata?.name,
    phase: pv.status?.phase ?? null,
    claimRef: pv.spec?.claimRef
      ? { name: pv.spec.claimRef.name ?? null, namespace: pv.spec.claimRef.namespace ?? null, uid: pv.spec.claimRef.uid ?? null }
      : null,
    storageClassName: pv.spec?.storageClassName ?? '',
    capacity: pv.spec?.capacity?.storage ?? null,
    accessModes: pv.spec?.accessModes ?? [],
    provisionedBy: pv.metadata?.annotations?.[PROVISIONED_BY] ?? null,
  };
}


function fail(message: string, hint: HintKey, evidence: Record<string, unknown>, transient = false): Verdict {
  return { status: 'fail', message, hint, evidence, transient };
}

async function evaluate(ctx: CheckContext, p: PvcBoundParams): Promise<Verdict> {
  const [pvcs, pvs] = await Promise.all([ctx.cluster.persistentVolumeClaims(ctx.namespace, ctx.signal), ctx.cluster.persistentVolumes(ctx.signal)]);
  const pvc = byName(pvcs, p.claim);
  if (!pvc) {
    return fail(`PVC ${p.claim} not found in namespace ${ctx.namespace}`, 'pvc-missing', {
      expected: { claim: p.claim },
      found: { claimsInNamespace: pvcs.map((c) => c.metadata?.name) },
    });
  }
  const claim = pvcFacts(pvc);
  const expectedPv = p.pv ? byName(pvs, p.pv) : undefined;
  const boundPv = claim.volumeName ? byName(pvs, claim.volumeName) : undefined;
  const evidence: Record<string, unknown> = {
    expected: { claim: p.claim, phase: 'Bound', volumeName: p.pv ?? '(dynamically provisioned)', ...(p.dynamic ? { dynamic: p.dynamic } : {}) },
    found: { pvc: claim, pv: pvFacts(boundPv ?? expectedPv) },
  };

  if (claim.phase === 'Bound') {
    if (p.pv && claim.volumeName !== p.pv) {
      const dynamicInstead = Boolean(boundPv?.metadata?.annotations?.[PROVISIONED_BY]) || (claim.storageClassName !== null && claim.storageClassName !== '');
      return fail(
        `PVC ${p.claim} is Bound to ${claim.volumeName ?? 'nothing'}, expected ${p.pv}${dynamicInstead ? ` (a dynamically provisioned volume of class ${claim.storageClassName ?? 'default'})` : ''}`,
        dynamicInstead ? 'pvc-storageclass-missing' : 'pvc-bound-wrong-pv',
        evidence,
      );
    }
    if (!boundPv) return fail(`PVC ${p.claim} says Bound to ${claim.volumeName ?? '(none)'}, but that PV does not exist`, 'pvc-binding-disagrees', evidence);
    const ref = boundPv.spec?.claimRef;
    const agrees = ref?.uid === claim.uid && ref?.name === p.claim && ref?.namespace === ctx.namespace && boundPv.status?.phase === 'Bound';
    if (!agrees) {
      return fail(
        `PVC ${p.claim} (uid ${claim.uid}) names PV ${boundPv.metadata?.name}, but the PV's claimRef is ${ref ? `${ref.namespace}/${ref.name} uid ${ref.uid ?? 'none'}` : 'empty'} and its phase ${boundPv.status?.phase ?? 'unknown'}`,
        'pvc-binding-disagrees',
        evidence,
        true,
      );
    }
    if (p.dynamic) {
      const by = boundPv.metadata?.annotations?.[PROVISIONED_BY];
      const classOk = !p.dynamic.storageClass || claim.storageClassName === p.dynamic.storageClass;
      const byOk = by !== undefined && (!p.dynamic.provisioner || by === p.dynamic.provisioner);
      if (!classOk || !byOk) {
        return fail(
          `PVC ${p.claim} is Bound to ${boundPv.metadata?.name}, but it is not dynamically provisioned as expected (storageClassName ${JSON.stringify(claim.storageClassName)}, ${PROVISIONED_BY} ${JSON.stringify(by ?? null)})`,
          'claim-not-dynamic',
          evidence,
        );
      }
      return { status: 'pass', message: `PVC ${p.claim} is Bound to dynamically provisioned PV ${boundPv.metadata?.name} (provisioned by ${by}); both sides agree`, evidence };
    }
    // A pre-bound PV wins over the claim's class, so a claim without storageClassName: "" still
    // binds when the PV existed first; it passes, with a note, because the binding is real.
    const pvClass = boundPv.spec?.storageClassName ?? '';
    const note =
      claim.storageClassName !== pvClass
        ? ` (note: its storageClassName is ${JSON.stringify(claim.storageClassName)}, not ${JSON.stringify(pvClass)} as taught; it bound only because the PV is pre-bound by claimRef and existed first)`
        : '';
    return { status: 'pass', message: `PVC ${p.claim} is Bound to ${boundPv.metadata?.name} and the PV's claimRef carries the PVC's uid${note}`, evidence };
  }

  // Not Bound: say why.
  if (p.dynamic) {
    if (p.dynamic.storageClass) {
      const classes = await ctx.cluster.storageClasses(ctx.signal);
      if (!byName(classes, p.dynamic.storageClass)) {
        return fail(`PVC ${p.claim} is ${claim.phase}: StorageClass ${p.dynamic.storageClass} does not exist`, 'storageclass-missing', evidence);
      }
      if (claim.storageClassName !== p.dynamic.storageClass) {
        return fail(`PVC ${p.claim} is ${claim.phase} with storageClassName ${JSON.stringify(claim.storageClassName)}, expected ${JSON.stringify(p.dynamic.storageClass)}`, 'claim-not-dynamic', evidence);
      }
    }
    return fail(`PVC ${p.claim} is ${claim.phase ?? 'not Bound'}: the provisioner has not created its volume`, 'pvc-pending', evidence, true);
  }
  if (p.pv && !expectedPv) return fail(`PVC ${p.claim} is ${claim.phase}: PV ${p.pv} does not exist`, 'pvc-no-matching-pv', evidence);
  if (expectedPv) {
    const pv = pvFacts(expectedPv);
    const ref = expectedPv.spec?.claimRef;
    if (ref && ref.namespace !== ctx.namespace) {
      return fail(`PVC ${p.claim} is ${claim.phase}: PV ${p.pv} is reserved for namespace ${JSON.stringify(ref.namespace ?? null)}, not ${ctx.namespace}`, 'claimref-namespace-wrong', evidence);
    }
    if (ref && ref.name !== p.claim) {
      return fail(`PVC ${p.claim} is ${claim.phase}: PV ${p.pv} is reserved for claim ${JSON.stringify(ref.name ?? null)}`, 'claimref-name-wrong', evidence);
    }
    if (ref?.uid && ref.uid !== claim.uid) {
      return fail(
        `PVC ${p.claim} is ${claim.phase}: PV ${p.pv} is ${pv?.phase ?? 'unknown'} and its claimRef still holds uid ${ref.uid} of a deleted claim (this PVC's uid is ${claim.uid})`,
        'pvc-stale-claimref',
        evidence,
      );
    }
    const pvClass = expectedPv.spec?.storageClassName ?? '';
    if (claim.storageClassName !== pvClass) {
      const msg =
        claim.storageClassName === null
          ? `PVC ${p.claim} is ${claim.phase}: it has no storageClassName, so a dynamic claim was made instead of binding ${p.pv} (expected storageClassName: "${pvClass}")`
          : `PVC ${p.claim} is ${claim.phase}: storageClassName is ${JSON.stringify(claim.storageClassName)}, PV ${p.pv} has ${JSON.stringify(pvClass)}`;
      return fail(msg, 'pvc-storageclass-missing', evidence);
    }
    if (compareQuantities(claim.request, pv?.capacity) === 1 || compareQuantities(claim.request, pv?.capacity) === undefined) {
      return fail(`PVC ${p.claim} is ${claim.phase}: it requests ${claim.request ?? 'nothing'}, PV ${p.pv} offers ${pv?.capacity ?? 'nothing'}`, 'pvc-size-mismatch', evidence);
    }
    if (!isSubset(claim.accessModes, pv?.accessModes) || claim.accessModes.length === 0) {
      return fail(
        `PVC ${p.claim} is ${claim.phase}: it asks for [${claim.accessModes.join(', ')}], PV ${p.pv} offers [${(pv?.accessModes ?? []).join(', ')}]`,
        'pvc-access-mode-mismatch',
        evidence,
      );
    }
  }
  return fail(`PVC ${p.claim} is ${claim.phase ?? 'not Bound'} and no cause was found`, 'pvc-pending', evidence, true);
}

/** pvc-bound: the claim is Bound, both sides agree, and (dynamic) its PV was provisioned; a Pending claim is diagnosed. */
export const pvcBound: Primitive<PvcBoundParams> = {
  name: 'pvc-bound',
  description: 'PersistentVolumeClaim Bound with two-sided agreement (volumeName and claimRef.uid), static or dynamically provisioned; diagnoses Pending claims',
  params,
  defaultTimeoutSeconds: 60,
  run: (ctx, p) => untilSettled(ctx, p.settleSeconds, () => evaluate(ctx, p)),
};

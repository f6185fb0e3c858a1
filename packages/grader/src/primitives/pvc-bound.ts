// A claim Bound with two-sided agreement (PVC.spec.volumeName names the PV, the PV's claimRef.uid is
// the PVC's uid), static or dynamically provisioned; a Pending claim gets a diagnosis.
import type {
  CoreV1Event,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { compareQuantities, isSubset } from '../quantity.ts';
import { byName, terminating, terminatingDetail } from './common.ts';
import { definePrimitive, type Judgement } from './define.ts';
import { msg, type Message, type MessageParam } from '../messages.ts';
import { error, fail, pass, settling, type Evidence, type Verdict } from './outcome.ts';
import type { CheckContext } from './registry.ts';

export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** Set by the PV controller when it wrote the claimRef itself (the PV was not pre-bound by its author). */
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';

const params = z.strictObject({
  claim: z.string().min(1),
  /** The static PV the claim must be bound to. */
  pv: z.string().min(1).optional(),
  /** Expect a dynamically provisioned PV (lab C). */
  dynamic: z
    .strictObject({ storageClass: z.string().min(1).optional(), provisioner: z.string().min(1).optional() })
    .optional(),
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
    ...(terminating(pvc) ? { terminating: true } : {}),
  };
}

function pvFacts(pv: V1PersistentVolume | undefined) {
  if (!pv) return null;
  return {
    name: pv.metadata?.name,
    phase: pv.status?.phase ?? null,
    claimRef: pv.spec?.claimRef
      ? {
          name: pv.spec.claimRef.name ?? null,
          namespace: pv.spec.claimRef.namespace ?? null,
          uid: pv.spec.claimRef.uid ?? null,
        }
      : null,
    storageClassName: pv.spec?.storageClassName ?? '',
    capacity: pv.spec?.capacity?.storage ?? null,
    accessModes: pv.spec?.accessModes ?? [],
    provisionedBy: pv.metadata?.annotations?.[PROVISIONED_BY] ?? null,
    boundByController: pv.metadata?.annotations?.[BOUND_BY_CONTROLLER] === 'yes',
    ...(terminating(pv) ? { terminating: true } : {}),
  };
}

/** True when the PV controller, not the PV's author, wrote its claimRef (a static PV that had none). */
function takenByController(pv: V1PersistentVolume | undefined): boolean {
  return Boolean(
    pv &&
    pv.metadata?.annotations?.[BOUND_BY_CONTROLLER] === 'yes' &&
    !pv.metadata.annotations[PROVISIONED_BY] &&
    pv.spec?.claimRef?.uid &&
    pv.status?.phase === 'Bound',
  );
}

/** What pvc-bound reads: the namespace's claims and the PVs it names (the lab's and the claim's volumeName); for a claim not Bound, asked for, the StorageClasses and the Events. */
export interface PvcBoundFacts {
  namespace: string;
  pvcs: V1PersistentVolumeClaim[];
  pvs: V1PersistentVolume[];
  classes?: V1StorageClass[];
  /** null: the Events could not be read. */
  events?: CoreV1Event[] | null;
}

/** What pvc-bound's judge may ask for. */
export type PvcBoundNeed = 'classes' | 'events';

async function gather(ctx: CheckContext, p: PvcBoundParams): Promise<PvcBoundFacts> {
  const [pvcs, expected] = await Promise.all([
    ctx.cluster.persistentVolumeClaims(ctx.namespace, ctx.signal),
    p.pv ? ctx.cluster.persistentVolume(p.pv, ctx.signal) : undefined,
  ]);
  const volumeName = byName(pvcs, p.claim)?.spec?.volumeName;
  const bound =
    volumeName && volumeName !== p.pv
      ? await ctx.cluster.persistentVolume(volumeName, ctx.signal)
      : undefined;
  return { namespace: ctx.namespace, pvcs, pvs: [expected, bound].filter((pv) => pv !== undefined) };
}

async function gatherMore(
  ctx: CheckContext,
  _p: PvcBoundParams,
  facts: PvcBoundFacts,
  need: PvcBoundNeed,
): Promise<PvcBoundFacts> {
  if (need === 'classes') return { ...facts, classes: await ctx.cluster.storageClasses(ctx.signal) };
  return { ...facts, events: (await ctx.cluster.events(ctx.namespace, ctx.signal)) ?? null };
}

/** pvc-bound's verdict: Bound with both sides agreeing, or why not. */
export function judgePvcBound(facts: PvcBoundFacts, p: PvcBoundParams): Judgement<PvcBoundNeed> {
  const { namespace, pvcs, pvs } = facts;
  const pvc = byName(pvcs, p.claim);
  if (!pvc) {
    return fail(msg('pvc.missing', { claim: p.claim, namespace }), 'pvc-missing', {
      expected: { claim: p.claim },
      found: { claimsInNamespace: pvcs.map((c) => c.metadata?.name) },
    });
  }
  const claim = pvcFacts(pvc);
  const expectedPv = p.pv ? byName(pvs, p.pv) : undefined;
  const boundPv = claim.volumeName ? byName(pvs, claim.volumeName) : undefined;
  const evidence: Record<string, unknown> = {
    expected: {
      claim: p.claim,
      phase: 'Bound',
      volumeName: p.pv ?? msg('pvc.dynamically-provisioned'),
      ...(p.dynamic ? { dynamic: p.dynamic } : {}),
    },
    found: { pvc: claim, pv: pvFacts(boundPv ?? expectedPv) },
  };

  if (terminating(pvc)) {
    return fail(
      msg('pvc.terminating', {
        claim: p.claim,
        detail: terminatingDetail(pvc),
        phase: claim.phase ?? msg('nothing'),
      }),
      'pvc-terminating',
      evidence,
    );
  }
  if (claim.phase === 'Bound') {
    if (p.pv && claim.volumeName !== p.pv) {
      const dynamicInstead =
        Boolean(boundPv?.metadata?.annotations?.[PROVISIONED_BY]) ||
        (claim.storageClassName !== null && claim.storageClassName !== '');
      // A freed static PV that does not carry this namespace's name was someone else's (a PV the
      // student made without claimRef, named for their namespace, is their own wrong PV).
      const foreign =
        !(boundPv?.metadata?.name ?? '').includes(namespace) &&
        !(boundPv?.spec?.nfs?.path ?? '').includes(namespace);
      if (!dynamicInstead && foreign && takenByController(boundPv)) {
        return fail(
          msg('pvc.shared-pv-taken', {
            claim: p.claim,
            volume: claim.volumeName ?? msg('nothing'),
            pv: p.pv,
          }),
          'shared-pv-taken',
          evidence,
        );
      }
      return fail(
        msg('pvc.bound-wrong-pv', {
          claim: p.claim,
          volume: claim.volumeName ?? msg('nothing'),
          pv: p.pv,
          dynamic: dynamicInstead
            ? msg('pvc.dynamic-instead', { storageClass: claim.storageClassName ?? msg('default-class') })
            : '',
        }),
        dynamicInstead ? 'pvc-storageclass-missing' : 'pvc-bound-wrong-pv',
        evidence,
      );
    }
    if (!boundPv)
      return fail(
        msg('pvc.bound-pv-missing', { claim: p.claim, volume: claim.volumeName ?? msg('none') }),
        'pvc-binding-disagrees',
        evidence,
      );
    if (terminating(boundPv))
      return fail(
        msg('pvc.bound-pv-terminating', {
          claim: p.claim,
          pv: String(boundPv.metadata?.name),
          detail: terminatingDetail(boundPv),
        }),
        'pv-terminating',
        evidence,
      );
    const ref = boundPv.spec?.claimRef;
    const agrees =
      ref?.uid === claim.uid &&
      ref?.name === p.claim &&
      ref?.namespace === namespace &&
      boundPv.status?.phase === 'Bound';
    if (!agrees) {
      return settling(
        fail(
          msg('pvc.binding-disagrees', {
            claim: p.claim,
            uid: String(claim.uid),
            pv: String(boundPv.metadata?.name),
            ref: ref
              ? msg('pvc.claimref', {
                  namespace: String(ref.namespace),
                  name: String(ref.name),
                  uid: ref.uid ?? msg('none-word'),
                })
              : msg('empty'),
            phase: boundPv.status?.phase ?? msg('unknown'),
          }),
          'pvc-binding-disagrees',
          evidence,
        ),
      );
    }
    if (p.dynamic) {
      const by = boundPv.metadata?.annotations?.[PROVISIONED_BY];
      const classOk = !p.dynamic.storageClass || claim.storageClassName === p.dynamic.storageClass;
      const byOk = by !== undefined && (!p.dynamic.provisioner || by === p.dynamic.provisioner);
      if (!classOk || !byOk) {
        return fail(
          msg('pvc.not-dynamic', {
            claim: p.claim,
            pv: String(boundPv.metadata?.name),
            storageClass: JSON.stringify(claim.storageClassName),
            annotation: PROVISIONED_BY,
            by: JSON.stringify(by ?? null),
          }),
          'claim-not-dynamic',
          evidence,
        );
      }
      return pass(
        msg('pvc.pass-dynamic', { claim: p.claim, pv: String(boundPv.metadata?.name), by }),
        evidence,
      );
    }
    // A pre-bound PV wins over the claim's class, so a claim without storageClassName: "" still
    // binds when the PV existed first; it passes, with a note, because the binding is real.
    const pvClass = boundPv.spec?.storageClassName ?? '';
    const note: MessageParam =
      claim.storageClassName !== pvClass
        ? msg('pvc.class-note', {
            storageClass: JSON.stringify(claim.storageClassName),
            pvClass: JSON.stringify(pvClass),
          })
        : '';
    return pass(msg('pvc.pass', { claim: p.claim, pv: String(boundPv.metadata?.name), note }), evidence);
  }

  // Not Bound: say why.
  if (p.dynamic) {
    if (!facts.classes) return { need: 'classes' };
    if (p.dynamic.storageClass) {
      if (!byName(facts.classes, p.dynamic.storageClass)) {
        return fail(
          msg('pvc.storageclass-missing', {
            claim: p.claim,
            phase: String(claim.phase),
            storageClass: p.dynamic.storageClass,
          }),
          'storageclass-missing',
          evidence,
        );
      }
      if (claim.storageClassName !== p.dynamic.storageClass) {
        return fail(
          msg('pvc.wrong-class-dynamic', {
            claim: p.claim,
            phase: String(claim.phase),
            found: JSON.stringify(claim.storageClassName),
            expected: JSON.stringify(p.dynamic.storageClass),
          }),
          'claim-not-dynamic',
          evidence,
        );
      }
    }
    if (facts.events === undefined) return { need: 'events' };
    return diagnoseProvisioning(p, pvc, facts.classes, facts.events, evidence);
  }
  if (p.pv && !expectedPv)
    return fail(
      msg('pvc.no-pv', { claim: p.claim, phase: String(claim.phase), pv: p.pv }),
      'pvc-no-matching-pv',
      evidence,
    );
  if (expectedPv) {
    const pv = pvFacts(expectedPv);
    const ref = expectedPv.spec?.claimRef;
    if (ref && (ref.namespace !== namespace || ref.name !== p.claim) && takenByController(expectedPv)) {
      return fail(
        msg('pvc.pv-taken', {
          claim: p.claim,
          phase: String(claim.phase),
          pv: String(p.pv),
          namespace: ref.namespace ?? '?',
          name: ref.name ?? '?',
        }),
        'shared-pv-taken',
        evidence,
      );
    }
    if (ref && ref.namespace !== namespace) {
      return fail(
        msg('pvc.reserved-namespace', {
          claim: p.claim,
          phase: String(claim.phase),
          pv: String(p.pv),
          found: JSON.stringify(ref.namespace ?? null),
          namespace,
        }),
        'claimref-namespace-wrong',
        evidence,
      );
    }
    if (ref && ref.name !== p.claim) {
      return fail(
        msg('pvc.reserved-claim', {
          claim: p.claim,
          phase: String(claim.phase),
          pv: String(p.pv),
          found: JSON.stringify(ref.name ?? null),
        }),
        'claimref-name-wrong',
        evidence,
      );
    }
    if (ref?.uid && ref.uid !== claim.uid) {
      return fail(
        msg('pvc.stale-claimref', {
          claim: p.claim,
          phase: String(claim.phase),
          pv: String(p.pv),
          pvPhase: pv?.phase ?? msg('unknown'),
          staleUid: ref.uid,
          uid: String(claim.uid),
        }),
        'pvc-stale-claimref',
        evidence,
      );
    }
    const pvClass = expectedPv.spec?.storageClassName ?? '';
    if (claim.storageClassName !== pvClass) {
      const found =
        claim.storageClassName === null
          ? msg('pvc.no-storageclass', {
              claim: p.claim,
              phase: String(claim.phase),
              pv: String(p.pv),
              pvClass,
            })
          : msg('pvc.storageclass-differs', {
              claim: p.claim,
              phase: String(claim.phase),
              found: JSON.stringify(claim.storageClassName),
              pv: String(p.pv),
              pvClass: JSON.stringify(pvClass),
            });
      return fail(found, 'pvc-storageclass-missing', evidence);
    }
    if (
      compareQuantities(claim.request, pv?.capacity) === 1 ||
      compareQuantities(claim.request, pv?.capacity) === undefined
    ) {
      return fail(
        msg('pvc.size-mismatch', {
          claim: p.claim,
          phase: String(claim.phase),
          request: claim.request ?? msg('nothing'),
          pv: String(p.pv),
          capacity: pv?.capacity ?? msg('nothing'),
        }),
        'pvc-size-mismatch',
        evidence,
      );
    }
    if (!isSubset(claim.accessModes, pv?.accessModes) || claim.accessModes.length === 0) {
      return fail(
        msg('pvc.access-mode-mismatch', {
          claim: p.claim,
          phase: String(claim.phase),
          modes: claim.accessModes.join(', '),
          pv: String(p.pv),
          pvModes: (pv?.accessModes ?? []).join(', '),
        }),
        'pvc-access-mode-mismatch',
        evidence,
      );
    }
  }
  return settling(
    fail(
      msg('pvc.no-cause', { claim: p.claim, phase: claim.phase ?? msg('not-bound') }),
      'pvc-pending',
      evidence,
    ),
  );
}

/**
 * A dynamic claim that is not Bound although its class is the lab's: did the environment act?
 * The class's provisioner must be the lab's, and the provisioner must have left a trace
 * (Provisioning / ProvisioningSucceeded / ProvisioningFailed events); otherwise it is not running.
 */
function diagnoseProvisioning(
  p: PvcBoundParams,
  pvc: V1PersistentVolumeClaim,
  classes: V1StorageClass[],
  events: CoreV1Event[] | null,
  evidence: Evidence,
): Verdict {
  const name = p.claim;
  const phase: MessageParam = pvc.status?.phase ?? msg('not-bound');
  const cls = pvc.spec?.storageClassName ?? '';
  const sc = byName(classes, cls);
  const expected = p.dynamic?.provisioner;
  const annotated = pvc.metadata?.annotations?.[STORAGE_PROVISIONER] ?? null;
  const mine = (events ?? []).filter(
    (e) =>
      e.involvedObject?.kind === 'PersistentVolumeClaim' &&
      e.involvedObject.name === name &&
      (!e.involvedObject.uid || e.involvedObject.uid === pvc.metadata?.uid),
  );
  const reasons = [...new Set(mine.map((e) => e.reason ?? ''))];
  evidence.environment = {
    storageClass: cls,
    provisioner: sc?.provisioner ?? null,
    labProvisioner: expected ?? msg('any'),
    claimAnnotation: annotated,
    eventReasons: events ? reasons : msg('events-unreadable'),
  };
  if (sc && expected && sc.provisioner !== expected) {
    return error(
      msg('pvc.env-provisioner-differs', {
        claim: name,
        phase,
        storageClass: cls,
        found: sc.provisioner,
        expected,
      }),
      'env-storageclass-provisioner',
      evidence,
    );
  }
  const failed = mine.filter((e) => e.reason === 'ProvisioningFailed').pop();
  if (failed) {
    return settling(
      error(
        msg('pvc.provisioning-failed', { claim: name, phase, detail: (failed.message ?? '').slice(0, 300) }),
        'env-storageclass-provisioner',
        evidence,
      ),
    );
  }
  if (events === null)
    return settling(fail(msg('pvc.events-unreadable', { claim: name, phase }), 'pvc-pending', evidence));
  if (!reasons.includes('Provisioning') && !reasons.includes('ProvisioningSucceeded')) {
    return settling(
      error(
        msg('pvc.provisioner-idle', {
          claim: name,
          phase,
          annotated: annotated ?? msg('pvc.no-provisioner'),
          reasons: reasons.join(', ') || msg('none-word'),
          storageClass: cls,
          provisioner: sc?.provisioner ?? '?',
        }),
        'env-provisioner-not-running',
        evidence,
      ),
    );
  }
  return settling(fail(msg('pvc.provisioning-started', { claim: name, phase }), 'pvc-pending', evidence));
}

/**
 * For a Pending claim of a StorageClass: the environment's provisioner never acted on it (no
 * Provisioning/ProvisioningSucceeded/ProvisioningFailed event). Undefined when it did, when the
 * claim is static, or when events cannot be read.
 */
export async function provisionerIdle(
  ctx: CheckContext,
  pvc: V1PersistentVolumeClaim,
): Promise<Message | undefined> {
  const cls = pvc.spec?.storageClassName;
  if (!cls || pvc.status?.phase === 'Bound') return undefined;
  const sc = byName(await ctx.cluster.storageClasses(ctx.signal), cls);
  if (!sc) return undefined;
  const events = await ctx.cluster.events(ctx.namespace, ctx.signal);
  if (!events) return undefined;
  const name = pvc.metadata?.name;
  const acted = events.some(
    (e) =>
      e.involvedObject?.kind === 'PersistentVolumeClaim' &&
      e.involvedObject.name === name &&
      ['Provisioning', 'ProvisioningSucceeded', 'ProvisioningFailed'].includes(e.reason ?? ''),
  );
  return acted
    ? undefined
    : msg('pvc.provisioner-never-acted', {
        claim: String(name),
        phase: pvc.status?.phase ?? 'Pending',
        provisioner: sc.provisioner,
        storageClass: cls,
      });
}

/** pvc-bound: the claim is Bound, both sides agree, and (dynamic) its PV was provisioned; a Pending claim is diagnosed. */
export const pvcBound = definePrimitive<PvcBoundParams, PvcBoundFacts, PvcBoundNeed>({
  name: 'pvc-bound',
  description:
    'PersistentVolumeClaim Bound with two-sided agreement (volumeName and claimRef.uid), static or dynamically provisioned; diagnoses Pending claims',
  params,
  defaultTimeoutSeconds: 60,
  gather,
  gatherMore,
  judge: judgePvcBound,
  settleSeconds: (p) => p.settleSeconds,
});

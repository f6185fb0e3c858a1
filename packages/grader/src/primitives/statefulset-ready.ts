// StatefulSet ready: the controller observed the latest generation, readyReplicas == replicas >= 1,
// every pod {sts}-{i} is Running and Ready, and the claim is really mounted at the data path (a
// StatefulSet with an emptyDir can be Ready and still lose its data).
import type { V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { z } from 'zod';
import type { HintKey } from '../hints.ts';
import { isPodReady } from '../kube/util.ts';
import {
  byName,
  dataVolumeOf,
  environmentFault,
  imageBase,
  podProblem,
  podState,
  redisContainer,
  redisDirArg,
  terminating,
  terminatingDetail,
  type DataVolume,
} from './common.ts';
import { definePrimitive, type Judgement } from './define.ts';
import { error, fail, pass, settling, type Verdict } from './outcome.ts';
import { provisionerIdle } from './pvc-bound.ts';
import { msg, type Message } from '../messages.ts';
import type { CheckContext, Outcome } from './registry.ts';

const params = z.strictObject({
  statefulSet: z.string().min(1),
  dataPath: z.string().startsWith('/').default('/data'),
  container: z.string().min(1).optional(),
  /** The existing PVC that must back the data path (lab B). */
  claim: z.string().min(1).optional(),
  /** The volumeClaimTemplates entry that must back the data path (lab C). */
  claimTemplate: z.string().min(1).optional(),
  /** The image the lab teaches: reported next to what runs, not judged (mirrors such as the chapter's are fine). */
  image: z.string().min(1).optional(),
  /** How long transient states (rollout in progress, a pod just started) may take to settle. */
  settleSeconds: z.number().min(0).max(600).default(10),
});

/** Parameters of statefulset-ready. */
export type StatefulSetReadyParams = z.infer<typeof params>;

function describeVolume(v: DataVolume): Record<string, unknown> {
  switch (v.kind) {
    case 'none':
      return { kind: 'none' };
    case 'dangling':
      return { kind: msg('vol.kind-dangling'), volumeName: v.volumeName };
    case 'pvc':
      return {
        kind: 'persistentVolumeClaim',
        volumeName: v.volumeName,
        claimName: v.claimName,
        ...(v.readOnly ? { readOnly: true } : {}),
      };
    case 'template':
      return {
        kind: 'volumeClaimTemplate',
        volumeName: v.volumeName,
        ...(v.readOnly ? { readOnly: true } : {}),
      };
    case 'emptyDir':
      return { kind: 'emptyDir', volumeName: v.volumeName };
    case 'other':
      return { kind: v.source, volumeName: v.volumeName };
  }
}

/** Judges what backs the data path, for the StatefulSet template or (with ordinal) a real pod. */
export function judgeVolume(
  v: DataVolume,
  p: StatefulSetReadyParams,
  stsName: string,
  ordinal?: number,
): { hint: HintKey; message: Message } | undefined {
  const container = v.container ? msg('sts.where-container', { name: v.container }) : '';
  const where =
    ordinal === undefined
      ? msg('sts.where-template', { statefulSet: stsName, container })
      : msg('sts.where-pod', { pod: `${stsName}-${ordinal}`, container });
  const path = p.dataPath;
  switch (v.kind) {
    case 'none':
      return { hint: 'data-volume-missing', message: msg('vol.none', { where, path }) };
    case 'dangling':
      return {
        hint: 'data-volume-missing',
        message: msg('vol.dangling', { where, volume: v.volumeName, path }),
      };
    case 'emptyDir':
      return {
        hint: 'data-volume-emptydir',
        message: msg('vol.emptydir', { where, volume: v.volumeName, path }),
      };
    case 'other':
      return {
        hint: 'data-volume-wrong-claim',
        message: msg('vol.other', { where, source: v.source, path }),
      };
    case 'template':
      if (p.claim)
        return {
          hint: 'data-volume-wrong-claim',
          message: msg('vol.template-not-claim', { where, volume: v.volumeName, path, claim: p.claim }),
        };
      if (p.claimTemplate && v.volumeName !== p.claimTemplate)
        return {
          hint: 'data-volume-wrong-claim',
          message: msg('vol.template-wrong', {
            where,
            volume: v.volumeName,
            path,
            expected: p.claimTemplate,
          }),
        };
      if (v.readOnly)
        return {
          hint: 'data-volume-readonly',
          message: msg('vol.template-readonly', { where, volume: v.volumeName, path }),
        };
      return undefined;
    case 'pvc': {
      const expected =
        p.claim ??
        (p.claimTemplate && ordinal !== undefined ? `${p.claimTemplate}-${stsName}-${ordinal}` : undefined);
      // A real pod made from a claim template mounts {template}-{sts}-{i}; the template itself names none.
      if (expected && v.claimName !== expected)
        return {
          hint: 'data-volume-wrong-claim',
          message: msg('vol.claim-wrong', { where, found: v.claimName, path, expected }),
        };
      if (!expected && p.claimTemplate && ordinal === undefined)
        return {
          hint: 'data-volume-wrong-claim',
          message: msg('vol.claim-not-template', {
            where,
            found: v.claimName,
            path,
            template: p.claimTemplate,
          }),
        };
      if (v.readOnly)
        return {
          hint: 'data-volume-readonly',
          message: msg('vol.claim-readonly', { where, found: v.claimName, path }),
        };
      return undefined;
    }
  }
}

function stsFacts(sts: V1StatefulSet) {
  return {
    name: sts.metadata?.name,
    generation: sts.metadata?.generation ?? null,
    observedGeneration: sts.status?.observedGeneration ?? null,
    replicas: sts.spec?.replicas ?? 1,
    readyReplicas: sts.status?.readyReplicas ?? 0,
    serviceName: sts.spec?.serviceName ?? null,
    volumeClaimTemplates: (sts.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name),
  };
}

/** What statefulset-ready reads: the StatefulSets; once the template is right, the pods and claims; for the pod not Ready, asked for, what the environment did. */
export interface StatefulSetReadyFacts {
  namespace: string;
  statefulSets: V1StatefulSet[];
  pods?: V1Pod[];
  claims?: V1PersistentVolumeClaim[];
  /** environmentFault() of a pod not Ready, by pod name (null: none). */
  faults?: Record<string, Outcome | null>;
  /** provisionerIdle() of a claim an unschedulable pod mounts, by claim name (null: the provisioner acted). */
  idle?: Record<string, Message | null>;
}

/** What statefulset-ready's judge may ask for. */
export type StatefulSetReadyNeed = 'pods' | { fault: string } | { idle: string };

async function gatherMore(
  ctx: CheckContext,
  _p: StatefulSetReadyParams,
  facts: StatefulSetReadyFacts,
  need: StatefulSetReadyNeed,
): Promise<StatefulSetReadyFacts> {
  if (need === 'pods') {
    const [pods, claims] = await Promise.all([
      ctx.cluster.pods(ctx.namespace, ctx.signal),
      ctx.cluster.persistentVolumeClaims(ctx.namespace, ctx.signal),
    ]);
    return { ...facts, pods, claims };
  }
  if ('fault' in need) {
    const pod = byName(facts.pods ?? [], need.fault);
    const env = pod ? await environmentFault(ctx, pod) : undefined;
    return { ...facts, faults: { ...facts.faults, [need.fault]: env ?? null } };
  }
  const claim = byName(facts.claims ?? [], need.idle);
  const idle = claim ? await provisionerIdle(ctx, claim) : undefined;
  return { ...facts, idle: { ...facts.idle, [need.idle]: idle ?? null } };
}

/** statefulset-ready's verdict: the template, then every pod, then the ready count. */
export function judgeStatefulSetReady(
  facts: StatefulSetReadyFacts,
  p: StatefulSetReadyParams,
): Judgement<StatefulSetReadyNeed> {
  const { namespace, statefulSets: all } = facts;
  const sts = byName(all, p.statefulSet);
  if (!sts) {
    return fail(msg('sts.missing', { statefulSet: p.statefulSet, namespace }), 'statefulset-missing', {
      expected: { statefulSet: p.statefulSet },
      found: { statefulSetsInNamespace: all.map((s) => s.metadata?.name) },
    });
  }
  const spec = stsFacts(sts);
  const templateNames = spec.volumeClaimTemplates.filter((n): n is string => typeof n === 'string');
  // Judge Redis's own container (a sidecar may hold the claim while Redis's /data is ephemeral).
  const judged = redisContainer(sts.spec?.template?.spec, p.container);
  const templateVolume = dataVolumeOf(sts.spec?.template?.spec, p.dataPath, judged.name, templateNames);
  const evidence: Record<string, unknown> = {
    expected: {
      replicas: msg('sts.expected-replicas'),
      dataPath: p.dataPath,
      backedBy: p.claim
        ? msg('sts.backed-claim', { claim: p.claim })
        : p.claimTemplate
          ? msg('sts.backed-template', { template: p.claimTemplate })
          : msg('sts.backed-any'),
      ...(p.image ? { image: p.image } : {}),
    },
    found: {
      statefulSet: spec,
      container: judged,
      dataVolume: describeVolume(templateVolume),
      images: (sts.spec?.template?.spec?.containers ?? []).map((c) => c.image),
    },
  };
  if (terminating(sts))
    return fail(
      msg('sts.terminating', { statefulSet: p.statefulSet, detail: terminatingDetail(sts) }),
      'statefulset-terminating',
      evidence,
    );
  if (spec.replicas < 1)
    return fail(
      msg('sts.scaled-down', { statefulSet: p.statefulSet, replicas: spec.replicas }),
      'statefulset-scaled-down',
      evidence,
    );
  const volumeProblem = judgeVolume(templateVolume, p, p.statefulSet);
  if (volumeProblem) return fail(volumeProblem.message, volumeProblem.hint, evidence);
  // Where Redis writes its dump: --dir outside the data path defeats the mounted claim.
  const dir = redisDirArg(sts.spec?.template?.spec, judged.name);
  if (dir !== undefined) {
    const norm = (x: string) => x.replace(/\/+$/, '') || '/';
    const inside =
      norm(dir) === norm(p.dataPath) ||
      norm(dir).startsWith(`${norm(p.dataPath)}/`) ||
      (!dir.startsWith('/') && !dir.startsWith('..'));
    (evidence.found as Record<string, unknown>).redisDir = dir;
    if (!inside)
      return fail(
        msg('sts.redis-dir', {
          container: String(judged.name),
          statefulSet: p.statefulSet,
          dir,
          path: p.dataPath,
        }),
        'redis-dir-elsewhere',
        evidence,
      );
  }
  if (
    spec.observedGeneration === null ||
    (spec.generation !== null && spec.observedGeneration < spec.generation)
  ) {
    return settling(
      fail(
        msg('sts.generation', {
          statefulSet: p.statefulSet,
          observed: spec.observedGeneration ?? msg('none-word'),
          generation: spec.generation ?? '?',
        }),
        'statefulset-rollout-pending',
        evidence,
      ),
    );
  }

  const { pods, claims } = facts;
  if (!pods || !claims) return { need: 'pods' };
  const podEvidence: Record<string, unknown>[] = [];
  evidence.found = { ...(evidence.found as object), pods: podEvidence };
  let problem: Verdict | undefined;
  for (let i = 0; i < spec.replicas; i++) {
    const name = `${p.statefulSet}-${i}`;
    const pod: V1Pod | undefined = byName(pods, name);
    const state = podState(pod);
    podEvidence.push({ name, ...state });
    if (problem) continue;
    if (!pod) {
      problem = settling(fail(msg('sts.pod-missing', { pod: name }), 'pod-not-running', evidence));
      continue;
    }
    const podJudged = redisContainer(pod.spec, p.container);
    const podVolume = dataVolumeOf(pod.spec, p.dataPath, podJudged.name, []);
    const podVolumeProblem = judgeVolume(podVolume, p, p.statefulSet, i);
    state.dataVolume = describeVolume(podVolume);
    state.container = podJudged;
    if (podVolumeProblem) {
      problem = fail(podVolumeProblem.message, podVolumeProblem.hint, evidence);
      continue;
    }
    if (podVolume.kind === 'pvc') {
      // A claim on its way out is not Bound: the next pod cannot start on it.
      const claim = byName(claims, podVolume.claimName);
      if (claim && terminating(claim)) {
        state.claimTerminating = true;
        problem = fail(
          msg('sts.claim-terminating', {
            pod: name,
            claim: podVolume.claimName,
            path: p.dataPath,
            detail: terminatingDetail(claim),
          }),
          'pvc-terminating',
          evidence,
        );
        continue;
      }
    }
    if (!isPodReady(pod)) {
      const env = facts.faults?.[name];
      if (env === undefined) return { need: { fault: name } };
      if (env) return { ...env, evidence: { ...evidence, environment: env.evidence } };
      const why = podProblem(pod, podJudged.name);
      state.notReady = why.cause;
      // A correct image (the lab's) that cannot be pulled is the registry's or node's doing.
      const labImage = p.image;
      const sameImage =
        why.image !== undefined &&
        labImage !== undefined &&
        (why.image === labImage ||
          `${imageBase(why.image)}:${why.image.split(':').pop()}` ===
            `${imageBase(labImage)}:${labImage.split(':').pop()}`);
      if (why.cause === 'image-pull' && sameImage) {
        problem = settling(
          error(
            msg('sts.env-image', { problem: why.message, image: labImage }),
            'env-pod-not-ready',
            evidence,
          ),
        );
        continue;
      }
      if (why.cause === 'unschedulable') {
        // Pending on a claim the environment never provisioned: not the manifests' doing.
        for (const v of pod.spec?.volumes ?? []) {
          const claim = v.persistentVolumeClaim
            ? byName(claims, v.persistentVolumeClaim.claimName)
            : undefined;
          const claimName = claim?.metadata?.name ?? '';
          if (claim && facts.idle?.[claimName] === undefined) return { need: { idle: claimName } };
          const idle = claim ? facts.idle?.[claimName] : undefined;
          if (idle) {
            problem = settling(
              error(
                msg('sts.env-provisioner', { problem: why.message, idle }),
                'env-provisioner-not-running',
                evidence,
              ),
            );
            break;
          }
        }
        if (problem) continue;
      }
      problem = { ...fail(why.message, why.hint, evidence), transient: why.transient };
    }
  }
  if (problem) return problem;
  if (spec.readyReplicas !== spec.replicas) {
    return settling(
      fail(
        msg('sts.ready-replicas', {
          statefulSet: p.statefulSet,
          ready: spec.readyReplicas,
          replicas: spec.replicas,
        }),
        'readiness-failing',
        evidence,
      ),
    );
  }
  return pass(
    msg('sts.pass', {
      statefulSet: p.statefulSet,
      ready: spec.readyReplicas,
      replicas: spec.replicas,
      path: p.dataPath,
      backing: p.claim ?? p.claimTemplate ?? msg('sts.a-pvc'),
    }),
    evidence,
  );
}

/** statefulset-ready: observed generation, readyReplicas == replicas >= 1, every pod Ready, the claim mounted at the data path. */
export const statefulSetReady = definePrimitive<
  StatefulSetReadyParams,
  StatefulSetReadyFacts,
  StatefulSetReadyNeed
>({
  name: 'statefulset-ready',
  description:
    'StatefulSet ready (observed generation, ready replicas, every pod Running and Ready) with the claim mounted at the data path',
  params,
  defaultTimeoutSeconds: 60,
  gather: async (ctx) => ({
    namespace: ctx.namespace,
    statefulSets: await ctx.cluster.statefulSets(ctx.namespace, ctx.signal),
  }),
  gatherMore,
  judge: judgeStatefulSetReady,
  settleSeconds: (p) => p.settleSeconds,
});

// StatefulSet ready: the controller observed the latest generation, readyReplicas == replicas >= 1,
// every pod {sts}-{i} is Running and Ready, and the claim is really mounted at the data path (a
// StatefulSet with an emptyDir can be Ready and still lose its data).
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { z } from 'zod';
import type { HintKey } from '../hints.ts';
import { isPodReady } from '../kube/util.ts';
import { byName, dataVolumeOf, environmentFault, podState, untilSettled, type DataVolume, type Verdict } from './common.ts';
import type { CheckContext, Primitive } from './registry.ts';

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
      return { kind: 'no such volume', volumeName: v.volumeName };
    case 'pvc':
      return { kind: 'persistentVolumeClaim', volumeName: v.volumeName, claimName: v.claimName };
    case 'template':
      return { kind: 'volumeClaimTemplate', volumeName: v.volumeName };
    case 'emptyDir':
      return { kind: 'emptyDir', volumeName: v.volumeName };
    case 'other':
      return { kind: v.source, volumeName: v.volumeName };
  }
}

/** Judges what backs the data path, for the StatefulSet template or (with ordinal) a real pod. */
export function judgeVolume(v: DataVolume, p: StatefulSetReadyParams, stsName: string, ordinal?: number): { hint: HintKey; message: string } | undefined {
  const where = ordinal === undefined ? `the pod template of ${stsName}` : `pod ${stsName}-${ordinal}`;
  switch (v.kind) {
    case 'none':
      return { hint: 'data-volume-missing', message: `${where} mounts nothing at ${p.dataPath}` };
    case 'dangling':
      return { hint: 'data-volume-missing', message: `${where} mounts volume ${v.volumeName} at ${p.dataPath}, but no volume or claim template has that name` };
    case 'emptyDir':
      return { hint: 'data-volume-emptydir', message: `${where} mounts an emptyDir (${v.volumeName}) at ${p.dataPath}: its data is lost when the pod is deleted` };
    case 'other':
      return { hint: 'data-volume-wrong-claim', message: `${where} mounts a ${v.source} volume at ${p.dataPath}, not the claim` };
    case 'template':
      if (p.claim) return { hint: 'data-volume-wrong-claim', message: `${where} mounts claim template ${v.volumeName} at ${p.dataPath}, expected the existing claim ${p.claim}` };
      if (p.claimTemplate && v.volumeName !== p.claimTemplate)
        return { hint: 'data-volume-wrong-claim', message: `${where} mounts claim template ${v.volumeName} at ${p.dataPath}, expected ${p.claimTemplate}` };
      return undefined;
    case 'pvc': {
      const expected = p.claim ?? (p.claimTemplate && ordinal !== undefined ? `${p.claimTemplate}-${stsName}-${ordinal}` : undefined);
      // A real pod made from a claim template mounts {template}-{sts}-{i}; the template itself names none.
      if (expected && v.claimName !== expected) return { hint: 'data-volume-wrong-claim', message: `${where} mounts claim ${v.claimName} at ${p.dataPath}, expected ${expected}` };
      if (!expected && p.claimTemplate && ordinal === undefined)
        return { hint: 'data-volume-wrong-claim', message: `${where} mounts claim ${v.claimName} at ${p.dataPath}, expected claim template ${p.claimTemplate}` };
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

async function evaluate(ctx: CheckContext, p: StatefulSetReadyParams): Promise<Verdict> {
  const all = await ctx.cluster.statefulSets(ctx.namespace, ctx.signal);
  const sts = byName(all, p.statefulSet);
  if (!sts) {
    return {
      status: 'fail',
      message: `StatefulSet ${p.statefulSet} not found in namespace ${ctx.namespace}`,
      hint: 'statefulset-missing',
      evidence: { expected: { statefulSet: p.statefulSet }, found: { statefulSetsInNamespace: all.map((s) => s.metadata?.name) } },
    };
  }
  const facts = stsFacts(sts);
  const templateNames = facts.volumeClaimTemplates.filter((n): n is string => typeof n === 'string');
  const templateVolume = dataVolumeOf(sts.spec?.template?.spec, p.dataPath, p.container, templateNames);
  const evidence: Record<string, unknown> = {
    expected: {
      replicas: '>= 1, all Ready',
      dataPath: p.dataPath,
      backedBy: p.claim ? `claim ${p.claim}` : p.claimTemplate ? `volumeClaimTemplates ${p.claimTemplate}` : 'a PersistentVolumeClaim',
      ...(p.image ? { image: p.image } : {}),
    },
    found: { statefulSet: facts, dataVolume: describeVolume(templateVolume), images: (sts.spec?.template?.spec?.containers ?? []).map((c) => c.image) },
  };
  if (facts.replicas < 1) return { status: 'fail', message: `StatefulSet ${p.statefulSet} has replicas: ${facts.replicas}`, hint: 'statefulset-scaled-down', evidence };
  const volumeProblem = judgeVolume(templateVolume, p, p.statefulSet);
  if (volumeProblem) return { status: 'fail', message: volumeProblem.message, hint: volumeProblem.hint, evidence };
  if (facts.observedGeneration === null || (facts.generation !== null && facts.observedGeneration < facts.generation)) {
    return {
      status: 'fail',
      message: `StatefulSet ${p.statefulSet}: the controller has observed generation ${facts.observedGeneration ?? 'none'} of ${facts.generation ?? '?'}`,
      hint: 'statefulset-rollout-pending',
      evidence,
      transient: true,
    };
  }

  const pods = await ctx.cluster.pods(ctx.namespace, ctx.signal);
  const podEvidence: Record<string, unknown>[] = [];
  evidence.found = { ...(evidence.found as object), pods: podEvidence };
  let problem: Verdict | undefined;
  for (let i = 0; i < facts.replicas; i++) {
    const name = `${p.statefulSet}-${i}`;
    const pod: V1Pod | undefined = byName(pods, name);
    const state = podState(pod);
    podEvidence.push({ name, ...state });
    if (problem) continue;
    if (!pod) {
      problem = { status: 'fail', message: `pod ${name} does not exist`, hint: 'pod-not-running', evidence, transient: true };
      continue;
    }
    const podVolume = dataVolumeOf(pod.spec, p.dataPath, p.container, []);
    const podVolumeProblem = judgeVolume(podVolume, p, p.statefulSet, i);
    state.dataVolume = describeVolume(podVolume);
    if (podVolumeProblem) {
      problem = { status: 'fail', message: podVolumeProblem.message, hint: podVolumeProblem.hint, evidence };
      continue;
    }
    if (!isPodReady(pod)) {
      const env = await environmentFault(ctx, pod);
      if (env) return { ...env, evidence: { ...evidence, environment: env.evidence } };
      const running = pod.status?.phase === 'Running';
      const crashing = (pod.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) > 0 || c.state?.waiting?.reason === 'CrashLoopBackOff');
      problem = {
        status: 'fail',
        message: running ? `pod ${name} is Running but not Ready (readiness probe failing)` : `pod ${name} is ${pod.status?.phase ?? 'not Running'}${crashing ? ' and crash-looping' : ''}`,
        hint: running && !crashing ? 'readiness-failing' : 'pod-not-running',
        evidence,
        transient: !crashing,
      };
    }
  }
  if (problem) return problem;
  if (facts.readyReplicas !== facts.replicas) {
    return {
      status: 'fail',
      message: `StatefulSet ${p.statefulSet} reports readyReplicas ${facts.readyReplicas} of ${facts.replicas}`,
      hint: 'readiness-failing',
      evidence,
      transient: true,
    };
  }
  return {
    status: 'pass',
    message: `StatefulSet ${p.statefulSet}: ${facts.readyReplicas}/${facts.replicas} Ready, ${p.dataPath} backed by ${p.claim ?? p.claimTemplate ?? 'a PVC'}`,
    evidence,
  };
}

/** statefulset-ready: observed generation, readyReplicas == replicas >= 1, every pod Ready, the claim mounted at the data path. */
export const statefulSetReady: Primitive<StatefulSetReadyParams> = {
  name: 'statefulset-ready',
  description: 'StatefulSet ready (observed generation, ready replicas, every pod Running and Ready) with the claim mounted at the data path',
  params,
  defaultTimeoutSeconds: 60,
  run: (ctx, p) => untilSettled(ctx, p.settleSeconds, () => evaluate(ctx, p)),
};

// Helpers the primitives share: name lookups, label selection, what a pod mounts at a path, and the
// crash diagnosis that tells the environment's faults from the student's.
import type { V1LabelSelector, V1Pod, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import { sleep } from '../kube/util.ts';
import type { CheckContext, Outcome } from './registry.ts';

/** The item whose metadata.name is `name`. */
export function byName<T extends { metadata?: { name?: string } }>(items: readonly T[], name: string): T | undefined {
  return items.find((i) => i.metadata?.name === name);
}

/** True when a Service-style selector (a plain map) selects these labels; an empty selector selects nothing. */
export function mapSelects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => labels?.[k] === v);
}

/** True when a LabelSelector (matchLabels + matchExpressions) selects these labels. */
export function labelSelectorMatches(selector: V1LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const val = l[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(val ?? '')) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(val ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function normPath(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** What backs `path` in a container of a pod spec. */
export type DataVolume =
  | { kind: 'none'; container: string | undefined }
  | { kind: 'dangling'; container: string; volumeName: string }
  | { kind: 'pvc'; container: string; volumeName: string; claimName: string }
  | { kind: 'template'; container: string; volumeName: string }
  | { kind: 'emptyDir'; container: string; volumeName: string }
  | { kind: 'other'; container: string; volumeName: string; source: string };

/** Finds the volume mounted at `path` (in `container`, or the first container that mounts it). */
export function dataVolumeOf(spec: V1PodSpec | undefined, path: string, container: string | undefined, templateNames: readonly string[] = []): DataVolume {
  const containers = spec?.containers ?? [];
  const candidates = container ? containers.filter((c) => c.name === container) : containers;
  for (const c of candidates) {
    const mount = (c.volumeMounts ?? []).find((m) => normPath(m.mountPath) === normPath(path));
    if (!mount) continue;
    const vol: V1Volume | undefined = (spec?.volumes ?? []).find((v) => v.name === mount.name);
    if (!vol) {
      if (templateNames.includes(mount.name)) return { kind: 'template', container: c.name, volumeName: mount.name };
      return { kind: 'dangling', container: c.name, volumeName: mount.name };
    }
    if (vol.persistentVolumeClaim) return { kind: 'pvc', container: c.name, volumeName: vol.name, claimName: vol.persistentVolumeClaim.claimName };
    if (vol.emptyDir) return { kind: 'emptyDir', container: c.name, volumeName: vol.name };
    const source = Object.keys(vol).find((k) => k !== 'name') ?? 'unknown';
    return { kind: 'other', container: c.name, volumeName: vol.name, source };
  }
  return { kind: 'none', container: container ?? candidates[0]?.name };
}

/** The container to use: the named one, or the pod's first. */
export function containerName(pod: V1Pod | undefined, wanted: string | undefined): string | undefined {
  if (wanted) return wanted;
  return pod?.spec?.containers?.[0]?.name;
}

const ROOT_SQUASH = /chown[^\n]*(Operation not permitted|Permission denied)/i;

/**
 * When a pod crash-loops because the NFS export squashes root (the redis entrypoint's `chown` of
 * /data fails), that is the course environment's fault: returns an `error` outcome saying so.
 */
export async function environmentFault(ctx: CheckContext, pod: V1Pod): Promise<Outcome | undefined> {
  const name = pod.metadata?.name ?? '';
  for (const cs of pod.status?.containerStatuses ?? []) {
    const terminated = cs.lastState?.terminated ?? cs.state?.terminated;
    const crashing = (cs.restartCount ?? 0) > 0 || terminated !== undefined || cs.state?.waiting?.reason === 'CrashLoopBackOff';
    if (!crashing) continue;
    let text = terminated?.message ?? '';
    if (!ROOT_SQUASH.test(text)) {
      text = (await ctx.cluster.podLog(ctx.namespace, name, cs.name, true, ctx.signal)) ?? '';
      if (!ROOT_SQUASH.test(text)) text = (await ctx.cluster.podLog(ctx.namespace, name, cs.name, false, ctx.signal)) ?? '';
    }
    const m = ROOT_SQUASH.exec(text);
    if (m) {
      const line = text.split('\n').find((l) => ROOT_SQUASH.test(l)) ?? m[0];
      return {
        status: 'error',
        message: `pod ${name} crash-loops because chown of its NFS volume is refused (root_squash): the course environment's fault, not the student's`,
        hint: 'env-nfs-root-squash',
        evidence: { pod: name, container: cs.name, restartCount: cs.restartCount ?? 0, log: line.trim().slice(0, 300) },
      };
    }
  }
  return undefined;
}

/** A short description of why a pod is not Ready, for messages and evidence. */
export function podState(pod: V1Pod | undefined): Record<string, unknown> {
  if (!pod) return { exists: false };
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return {
    exists: true,
    uid: pod.metadata?.uid,
    phase: pod.status?.phase,
    ready: ready?.status === 'True',
    deleting: Boolean(pod.metadata?.deletionTimestamp),
    containers: (pod.status?.containerStatuses ?? []).map((c) => ({
      name: c.name,
      ready: c.ready,
      restartCount: c.restartCount,
      waiting: c.state?.waiting?.reason,
      terminated: c.state?.terminated?.reason,
    })),
  };
}

/** An outcome that may still change on its own (a controller has not caught up yet). */
export type Verdict = Outcome & { transient?: boolean };

/**
 * Evaluates until the verdict is not transient or `settleSeconds` (x the time multiplier) have
 * passed, re-reading the cluster between tries: binding and rollouts are asynchronous, so a
 * cause-less Pending or a pod that just started deserves a moment before it is judged.
 */
export async function untilSettled(ctx: CheckContext, settleSeconds: number, evaluate: () => Promise<Verdict>): Promise<Outcome> {
  const settleUntil = Date.now() + settleSeconds * 1000 * ctx.timeMultiplier;
  for (;;) {
    const { transient, ...outcome } = await evaluate();
    if (!transient || Date.now() >= settleUntil) return outcome;
    await sleep(Math.min(1000 * ctx.timeMultiplier, Math.max(0, settleUntil - Date.now())), ctx.signal);
    ctx.cluster.invalidate();
  }
}

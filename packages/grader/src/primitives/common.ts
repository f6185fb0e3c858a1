// Helpers the primitives share: name lookups, label selection, what a pod mounts at a path, and the
// crash diagnosis that tells the environment's faults from the student's.
import type { V1LabelSelector, V1Pod, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import { msg, type Message, type MessageParam } from '../messages.ts';
import { poll } from '../poll.ts';
import { error, type Verdict } from './outcome.ts';
import type { CheckContext, Outcome } from './registry.ts';

/** The item whose metadata.name is `name`. */
export function byName<T extends { metadata?: { name?: string } }>(
  items: readonly T[],
  name: string,
): T | undefined {
  return items.find((i) => i.metadata?.name === name);
}

/** True when a Service-style selector (a plain map) selects these labels; an empty selector selects nothing. */
export function mapSelects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => labels?.[k] === v);
}

/** True when a LabelSelector (matchLabels + matchExpressions) selects these labels. */
export function labelSelectorMatches(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
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
  | { kind: 'pvc'; container: string; volumeName: string; claimName: string; readOnly?: boolean }
  | { kind: 'template'; container: string; volumeName: string; readOnly?: boolean }
  | { kind: 'emptyDir'; container: string; volumeName: string }
  | { kind: 'other'; container: string; volumeName: string; source: string };

/** Finds the volume mounted at `path` (in `container`, or the first container that mounts it). */
export function dataVolumeOf(
  spec: V1PodSpec | undefined,
  path: string,
  container: string | undefined,
  templateNames: readonly string[] = [],
): DataVolume {
  const containers = spec?.containers ?? [];
  const candidates = container ? containers.filter((c) => c.name === container) : containers;
  for (const c of candidates) {
    const mount = (c.volumeMounts ?? []).find((m) => normPath(m.mountPath) === normPath(path));
    if (!mount) continue;
    const vol: V1Volume | undefined = (spec?.volumes ?? []).find((v) => v.name === mount.name);
    if (!vol) {
      if (templateNames.includes(mount.name))
        return {
          kind: 'template',
          container: c.name,
          volumeName: mount.name,
          ...(mount.readOnly ? { readOnly: true } : {}),
        };
      return { kind: 'dangling', container: c.name, volumeName: mount.name };
    }
    if (vol.persistentVolumeClaim) {
      const readOnly = Boolean(mount.readOnly) || Boolean(vol.persistentVolumeClaim.readOnly);
      return {
        kind: 'pvc',
        container: c.name,
        volumeName: vol.name,
        claimName: vol.persistentVolumeClaim.claimName,
        ...(readOnly ? { readOnly } : {}),
      };
    }
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

/** The last path component of an image reference, without tag or digest (`.../docker.io/redis:7.4.4` -> redis). */
export function imageBase(image: string | undefined): string {
  const noDigest = (image ?? '').split('@')[0] ?? '';
  return ((noDigest.split('/').pop() ?? '').split(':')[0] ?? '').toLowerCase();
}

/** The container judged to be Redis, and why (for the evidence). */
export interface JudgedContainer {
  name: string | undefined;
  reason: Message;
}

/**
 * Which container of a pod (spec) is Redis, decided as an instructor would pick `kubectl exec -c`:
 * the lab's container name when the pod has it, else by what a container is: a Redis image, a
 * redis-server command, port 6379 (several signs beat one). Never simply "the first".
 */
export function redisContainer(spec: V1PodSpec | undefined, wanted?: string): JudgedContainer {
  const cs = spec?.containers ?? [];
  if (wanted && cs.some((c) => c.name === wanted))
    return { name: wanted, reason: msg('container.lab-names', { name: wanted }) };
  const missing: MessageParam = wanted ? msg('container.lab-lacks', { name: wanted }) : '';
  const scored = cs.map((c, i) => {
    const signs: Message[] = [];
    if (imageBase(c.image) === 'redis') signs.push(msg('container.sign-image', { image: c.image ?? '' }));
    if ([...(c.command ?? []), ...(c.args ?? [])].some((a) => /(^|\/)redis-server$/.test(a)))
      signs.push(msg('container.sign-command'));
    if ((c.ports ?? []).some((p) => p.containerPort === 6379)) signs.push(msg('container.sign-port'));
    return { c, i, signs };
  });
  const best = scored
    .filter((s) => s.signs.length > 0)
    .sort((a, b) => b.signs.length - a.signs.length || a.i - b.i)[0];
  if (best)
    return {
      name: best.c.name,
      reason: msg('container.signs', {
        missing,
        signs: best.signs,
        position: cs.length > 1 ? msg('container.position', { n: best.i + 1, total: cs.length }) : '',
      }),
    };
  if (cs.length === 1) return { name: cs[0]?.name, reason: msg('container.only', { missing }) };
  return { name: cs[0]?.name, reason: msg('container.first', { missing, total: cs.length }) };
}

/** The `--dir` a Redis container's command/args give (where the dump is written), if any. */
export function redisDirArg(spec: V1PodSpec | undefined, container: string | undefined): string | undefined {
  const c = (spec?.containers ?? []).find((x) => x.name === container);
  const argv = [...(c?.command ?? []), ...(c?.args ?? [])];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--dir') return argv[i + 1];
    if (a.startsWith('--dir=')) return a.slice('--dir='.length);
  }
  return undefined;
}

/** True when the object is on its way out (deletionTimestamp set): not Bound, not Ready, for grading. */
export function terminating(o: { metadata?: { deletionTimestamp?: Date | string } } | undefined): boolean {
  return Boolean(o?.metadata?.deletionTimestamp);
}

/** "deletionTimestamp ... (finalizers [...])": what keeps a Terminating object, for messages. */
export function terminatingDetail(o: {
  metadata?: { deletionTimestamp?: Date | string; finalizers?: string[] };
}): Message {
  const ts = o.metadata?.deletionTimestamp;
  const when = ts instanceof Date ? ts.toISOString() : String(ts);
  const fins = o.metadata?.finalizers ?? [];
  return msg('terminating.detail', {
    when,
    finalizers: fins.length > 0 ? msg('terminating.finalizers', { list: fins.join(', ') }) : '',
  });
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
    const crashing =
      (cs.restartCount ?? 0) > 0 ||
      terminated !== undefined ||
      cs.state?.waiting?.reason === 'CrashLoopBackOff';
    if (!crashing) continue;
    let text = terminated?.message ?? '';
    if (!ROOT_SQUASH.test(text)) {
      text = (await ctx.cluster.podLog(ctx.namespace, name, cs.name, true, ctx.signal)) ?? '';
      if (!ROOT_SQUASH.test(text))
        text = (await ctx.cluster.podLog(ctx.namespace, name, cs.name, false, ctx.signal)) ?? '';
    }
    const m = ROOT_SQUASH.exec(text);
    if (m) {
      const line = text.split('\n').find((l) => ROOT_SQUASH.test(l)) ?? m[0];
      return error(msg('env.root-squash', { pod: name }), 'env-nfs-root-squash', {
        pod: name,
        container: cs.name,
        restartCount: cs.restartCount ?? 0,
        log: line.trim().slice(0, 300),
      });
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

/**
 * Evaluates until the verdict is not transient or `settleSeconds` (x the time multiplier) have
 * passed, re-reading the cluster between tries: binding and rollouts are asynchronous, so a
 * cause-less Pending or a pod that just started deserves a moment before it is judged.
 */
export async function untilSettled(
  ctx: CheckContext,
  settleSeconds: number,
  evaluate: () => Promise<Verdict>,
): Promise<Outcome> {
  const settled = await poll(
    (n) => {
      if (n > 0) ctx.cluster.invalidate();
      return evaluate();
    },
    (v) => !v.transient,
    {
      withinMs: settleSeconds * 1000 * ctx.timeMultiplier,
      everyMs: 1000 * ctx.timeMultiplier,
      signal: ctx.signal,
    },
  );
  const { transient: _transient, ...outcome } = settled.value;
  return outcome;
}

/** Why a pod is not Ready, named from what its status says (never guessed from the hint catalog). */
export interface PodProblem {
  cause:
    'terminating' | 'crash-loop' | 'image-pull' | 'unschedulable' | 'readiness' | 'not-running' | 'starting';
  message: Message;
  hint: 'pod-terminating' | 'pod-not-running' | 'readiness-failing';
  /** The state may still change on its own (starting, pulling, a pod being replaced). */
  transient: boolean;
  /** Unschedulable for lack of node resources, node pressure or taints: not the manifests' doing. */
  nodeResources?: boolean;
  /** The image that could not be pulled. */
  image?: string;
}

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const NODE_RESOURCES =
  /Insufficient (cpu|memory|ephemeral-storage|pods)|node\(s\) had (untolerated )?taint|node\.kubernetes\.io\/(memory|disk|pid)-pressure|Too many pods/i;

/** Describes why `pod` (not Ready) is not Ready; `container` is the one judged (Redis). */
export function podProblem(pod: V1Pod, container: string | undefined): PodProblem {
  const name = pod.metadata?.name ?? '';
  if (terminating(pod)) {
    return {
      cause: 'terminating',
      message: msg('pod.terminating', { pod: name, detail: terminatingDetail(pod) }),
      hint: 'pod-terminating',
      transient: true,
    };
  }
  const statuses = pod.status?.containerStatuses ?? [];
  for (const cs of statuses) {
    const w = cs.state?.waiting;
    if (w?.reason && IMAGE_PULL.has(w.reason)) {
      const image = (pod.spec?.containers ?? []).find((c) => c.name === cs.name)?.image ?? cs.image;
      return {
        cause: 'image-pull',
        message: msg('pod.image-pull', {
          pod: name,
          container: cs.name,
          image: image ?? '',
          reason: w.reason,
          detail: w.message ? msg('cluster-quote', { text: w.message.slice(0, 200) }) : '',
        }),
        hint: 'pod-not-running',
        transient: true,
        image,
      };
    }
  }
  const crashing = statuses.filter(
    (cs) =>
      cs.state?.waiting?.reason === 'CrashLoopBackOff' ||
      ((cs.restartCount ?? 0) > 0 && !cs.state?.running) ||
      cs.state?.terminated,
  );
  if (crashing.length > 0) {
    const c = crashing.find((cs) => cs.name === container) ?? crashing[0];
    const last = c?.lastState?.terminated ?? c?.state?.terminated;
    const exit = last
      ? msg('pod.last-exit', {
          code: last.exitCode ?? '?',
          reason: last.reason ? msg('paren', { text: last.reason }) : '',
          detail: last.message ? msg('cluster-quote', { text: last.message.slice(0, 200) }) : '',
        })
      : '';
    const state =
      c?.state?.waiting?.reason ?? (c?.state?.terminated ? 'Terminated' : msg('pod.state-restarting'));
    return {
      cause: 'crash-loop',
      message: msg('pod.crash-loop', {
        pod: name,
        container: String(c?.name),
        state,
        restarts: c?.restartCount ?? 0,
        exit,
      }),
      hint: 'pod-not-running',
      transient: false,
    };
  }
  const scheduled = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    const why = scheduled.message ?? scheduled.reason ?? 'not scheduled';
    return {
      cause: 'unschedulable',
      message: msg('pod.unschedulable', { pod: name, why: why.slice(0, 300) }),
      hint: 'pod-not-running',
      transient: true,
      nodeResources: NODE_RESOURCES.test(why),
    };
  }
  const phase = pod.status?.phase;
  if (phase === 'Running') {
    const judged = statuses.find((cs) => cs.name === container);
    const spec = (pod.spec?.containers ?? []).find((c) => c.name === container);
    const allRunning = statuses.length > 0 && statuses.every((cs) => cs.state?.running);
    const notReady = statuses.filter((cs) => !cs.ready).map((cs) => cs.name);
    const probed = (pod.spec?.containers ?? []).filter((c) => notReady.includes(c.name) && c.readinessProbe);
    if (allRunning && probed.length > 0) {
      return {
        cause: 'readiness',
        message: msg('pod.readiness', { pod: name, containers: probed.map((c) => c.name).join(', ') }),
        hint: 'readiness-failing',
        transient: true,
      };
    }
    if (allRunning) {
      return {
        cause: 'starting',
        message: msg('pod.starting', {
          pod: name,
          containers: notReady.join(', ') || msg('none'),
          probe: spec?.readinessProbe ? msg('pod.probe-pending') : msg('pod.no-probe'),
        }),
        hint: 'pod-not-running',
        transient: true,
      };
    }
    const w = judged?.state?.waiting ?? statuses.find((cs) => !cs.state?.running)?.state?.waiting;
    return {
      cause: 'not-running',
      message: msg('pod.container-not-running', {
        pod: name,
        container: String(judged?.name ?? container),
        reason: w?.reason ? msg('paren', { text: w.reason }) : '',
      }),
      hint: 'pod-not-running',
      transient: true,
    };
  }
  const waiting = statuses.map((cs) => cs.state?.waiting?.reason).filter(Boolean);
  return {
    cause: 'starting',
    message: msg('pod.phase', {
      pod: name,
      phase: phase ?? msg('pod.not-running-phase'),
      reasons: waiting.length > 0 ? msg('paren', { text: [...new Set(waiting)].join(', ') }) : '',
    }),
    hint: 'pod-not-running',
    transient: true,
  };
}

/** True when `pod` is controlled by the StatefulSet (ownerReference controller with its uid). */
export function ownedBy(pod: V1Pod, sts: { metadata?: { name?: string; uid?: string } }): boolean {
  return (pod.metadata?.ownerReferences ?? []).some(
    (r) =>
      r.controller === true &&
      r.kind === 'StatefulSet' &&
      r.name === sts.metadata?.name &&
      r.uid === sts.metadata?.uid,
  );
}

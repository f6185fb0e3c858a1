// Builds scenarios on any cluster reachable through a KubeConfig, with @kubernetes/client-node
// only: create-or-patch, delete, merge patch, polling reads under deadlines, exec. kube-sim and a
// real cluster are driven by the same code.
import {
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { httpStatus } from '../errors.ts';
import { execInPod } from '../kube/exec.ts';
import { keepAlivePause, poll } from '../poll.ts';
import type { Manifest, ObjectRef, Scenario, Step } from './types.ts';

/** Where scenarios are built. */
export interface ScenarioTarget {
  kc: KubeConfig;
  /** Creates each manifest in order, JSON-merge-patching the ones that already exist. */
  apply(objects: Manifest[]): Promise<void>;
  /** Deletes the object (default grace period); a missing object is fine. */
  delete(ref: ObjectRef): Promise<void>;
  /** JSON merge patch. */
  patch(ref: ObjectRef, body: Record<string, unknown>): Promise<void>;
  /** The object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<KubernetesObject | undefined>;
  /** Multiplies every step deadline (slow clusters). */
  timeMultiplier: number;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'Node']);

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]);
}

function header(ref: ObjectRef): KubernetesObject {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: {
      name: ref.name,
      ...(ref.namespace && !CLUSTER_SCOPED.has(ref.kind) ? { namespace: ref.namespace } : {}),
    },
  };
}

function refName(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** A target over the cluster of `kc`. Each API request has `requestTimeoutMs` (default 30 s). */
export function kubeTarget(
  kc: KubeConfig,
  opts: { requestTimeoutMs?: number; timeMultiplier?: number } = {},
): ScenarioTarget {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const rt = opts.requestTimeoutMs ?? 30_000;
  return {
    kc,
    timeMultiplier: opts.timeMultiplier ?? 1,
    async apply(objects) {
      for (const o of objects) {
        const body = structuredClone(o) as KubernetesObject;
        try {
          await withTimeout(api.create(body), rt, `create ${o.kind} ${o.metadata.name}`);
        } catch (err) {
          if (httpStatus(err) !== 409)
            throw new Error(`create ${o.kind} ${o.metadata.name}: ${(err as Error).message}`, { cause: err });
          await withTimeout(
            api.patch(body, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch),
            rt,
            `patch ${o.kind} ${o.metadata.name}`,
          );
        }
      }
    },
    async delete(ref) {
      try {
        await withTimeout(api.delete(header(ref)), rt, `delete ${refName(ref)}`);
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
      }
    },
    async patch(ref, body) {
      // The body's metadata (e.g. finalizers: null) must not drop the name and namespace.
      const h = header(ref);
      const spec = {
        ...h,
        ...body,
        metadata: { ...(body.metadata as object | undefined), ...h.metadata },
      } as KubernetesObject;
      await withTimeout(
        api.patch(spec, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch),
        rt,
        `patch ${refName(ref)}`,
      );
    },
    async get(ref) {
      try {
        return await withTimeout(api.read(header(ref) as never), rt, `read ${refName(ref)}`);
      } catch (err) {
        if (httpStatus(err) === 404) return undefined;
        throw err;
      }
    },
  };
}

/**
 * The value at a small JSONPath (`status.phase`, `a.b[0].c`, `status.conditions[?(@.type=="Ready")].status`),
 * as a string as kubectl -o jsonpath prints it; undefined when absent.
 */
export function jsonPath(obj: unknown, path: string): string | undefined {
  const p = path.trim().replace(/^\{/, '').replace(/\}$/, '').replace(/^\./, '');
  const tokens = p.match(/\[\?\(@\.[\w.-]+\s*==\s*"[^"]*"\)\]|\[\d+\]|[^.[\]]+/g) ?? [];
  let cur: unknown = obj;
  for (const t of tokens) {
    if (cur === undefined || cur === null) return undefined;
    const filter = /^\[\?\(@\.([\w.-]+)\s*==\s*"([^"]*)"\)\]$/.exec(t);
    if (filter) {
      const [, key, want] = filter;
      cur = Array.isArray(cur) ? cur.find((e) => jsonPath(e, key ?? '') === want) : undefined;
      continue;
    }
    const idx = /^\[(\d+)\]$/.exec(t);
    if (idx) {
      cur = Array.isArray(cur) ? cur[Number(idx[1])] : undefined;
      continue;
    }
    cur = typeof cur === 'object' ? (cur as Record<string, unknown>)[t] : undefined;
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur as string | number | boolean);
}

/** A short description of a step, for error messages and logs. */
export function describeStep(step: Step): string {
  if ('apply' in step) return `apply ${step.apply.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`;
  if ('delete' in step) return `delete ${refName(step.delete)}`;
  if ('patch' in step) return `patch ${refName(step.patch)} ${JSON.stringify(step.patch.body)}`;
  if ('wait' in step) {
    const w = step.wait;
    if ('absent' in w) return `wait until ${refName(w)} is gone`;
    return 'present' in w
      ? `wait until ${refName(w)} has ${w.path}`
      : `wait until ${refName(w)} ${w.path} == ${w.equals}`;
  }
  return `exec in ${step.exec.pod}/${step.exec.container}: ${step.exec.command.join(' ')}`;
}

async function runStep(target: ScenarioTarget, scenario: Scenario, step: Step): Promise<void> {
  const ns = scenario.namespace;
  const withNs = <T extends ObjectRef>(ref: T): T =>
    ref.namespace || CLUSTER_SCOPED.has(ref.kind) ? ref : { ...ref, namespace: ns };
  if ('apply' in step) {
    const objects = step.apply.map((o) =>
      CLUSTER_SCOPED.has(o.kind) || o.metadata.namespace
        ? o
        : { ...o, metadata: { ...o.metadata, namespace: ns } },
    );
    return target.apply(objects);
  }
  if ('delete' in step) return target.delete(withNs(step.delete));
  if ('patch' in step) {
    const { body, ...ref } = step.patch;
    return target.patch(withNs(ref), body);
  }
  if ('wait' in step) {
    const w = withNs(step.wait);
    const seen = await poll(
      async () => {
        const obj = await target.get(w);
        if ('absent' in w) return { ok: !obj, last: 'still exists' as string | undefined };
        const last = obj ? jsonPath(obj, w.path) : '(object absent)';
        return { ok: 'present' in w ? Boolean(obj) && last !== undefined : last === w.equals, last };
      },
      (v) => v.ok,
      {
        withinMs: (w.timeoutSeconds ?? 120) * 1000 * target.timeMultiplier,
        everyMs: 250,
        pauses: 'whole',
        pause: keepAlivePause,
      },
    );
    if (seen.done) return;
    throw new Error(
      `gave up after ${w.timeoutSeconds ?? 120} s x ${target.timeMultiplier}: last seen ${JSON.stringify(seen.value.last)}`,
    );
  }
  const e = step.exec;
  const answered = await poll(
    async () => {
      const r = await execInPod(target.kc, {
        namespace: e.namespace ?? ns,
        pod: e.pod,
        container: e.container,
        command: e.command,
        timeoutMs: 15_000 * Math.max(1, target.timeMultiplier),
      }).catch((err: unknown) => ({
        kind: 'failed' as const,
        reason: (err as Error).message,
        stdout: '',
        stderr: '',
      }));
      return { r, out: r.stdout.trim() };
    },
    ({ r, out }) => (e.expect === undefined ? r.kind === 'exited' : out === e.expect),
    {
      withinMs: (e.timeoutSeconds ?? 60) * 1000 * target.timeMultiplier,
      everyMs: 500,
      pauses: 'whole',
      pause: keepAlivePause,
    },
  );
  if (answered.done) return;
  const { r, out } = answered.value;
  throw new Error(
    `gave up after ${e.timeoutSeconds ?? 60} s: last answer ${JSON.stringify(out || r.stderr.trim() || ('reason' in r ? r.reason : ''))}`,
  );
}

/** Runs a scenario's steps in order; throws naming the scenario and the step that failed. */
export async function applyScenario(target: ScenarioTarget, scenario: Scenario): Promise<void> {
  for (const [i, step] of scenario.steps.entries()) {
    try {
      await runStep(target, scenario, step);
    } catch (err) {
      throw new Error(
        `scenario ${scenario.namespace}, step ${i + 1} (${describeStep(step)}): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

/** `fn` over `items`, at most `concurrency` at a time (all at once when unset); results in order. */
export async function inPool<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  concurrency = items.length,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
    }),
  );
  return results;
}

/** Applies scenarios wave by wave (a wave finishes before the next starts), at most `concurrency` at a time. */
export async function applyScenarios(
  target: ScenarioTarget,
  scenarios: readonly Scenario[],
  opts: { concurrency?: number } = {},
): Promise<void> {
  const waves = [...new Set(scenarios.map((s) => s.wave ?? 1))].sort((a, b) => a - b);
  for (const w of waves) {
    const wave = scenarios.filter((s) => (s.wave ?? 1) === w);
    await inPool(wave, (s) => applyScenario(target, s), opts.concurrency);
  }
}

/**
 * How many mutations are graded at once: each run's check deadlines measure its own wall time, so
 * a hundred runs sharing one busy machine would turn slow checks into errors.
 */
export const GRADE_CONCURRENCY = 8;

// Shared by the kube-sim test files: one kube-sim (with real redis-server pods) per file, many
// student namespaces in it, graded concurrently.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createPodRuntime, generateClass, startKubeSim, type KubeSim, type Manifest } from './kube-sim.ts';
import { grade, type CheckResult, type Lab, type RunResult } from '../../src/index.ts';

export type { Manifest } from './kube-sim.ts';

/** A running kube-sim plus what tests need to talk to it. */
export interface SimEnv {
  sim: KubeSim;
  kc: KubeConfig;
  kubeconfigFile: string;
  stop(): Promise<void>;
}

/** Deadlines shrink with this in tests (kube-sim pods are Ready in milliseconds). */
export const MULT = 0.25;

/** Starts a kube-sim whose pods run real redis-server processes. */
export async function startSim(opts: { onRequest?: (r: { verb: string; resource: string; namespace?: string }) => void } = {}): Promise<SimEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'grader-sim-'));
  const runtime = createPodRuntime({ dataDir: join(dir, 'data') });
  const sim = await startKubeSim({ runtime, podReadyDelayMs: 30, dataDir: join(dir, 'data'), onRequest: opts.onRequest });
  const kubeconfigFile = join(dir, 'kubeconfig.yaml');
  await sim.writeKubeconfig(kubeconfigFile);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml);
  return {
    sim,
    kc,
    kubeconfigFile,
    async stop() {
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The correct objects of one student namespace for a lab (the generator's, before any edit). */
export function correctObjects(lab: 'pv-claimref' | 'redis-exist-pvc' | 'redis-not-exist-pvc', namespace: string): Manifest[] {
  const spec = generateClass({ students: 1, lab, namespaces: [namespace], mistakes: [null] });
  return structuredClone(spec.students[0]?.objects ?? []);
}

/** Sets (or, with undefined, removes) a dotted path such as `spec.claimRef.namespace` in the manifest of `kind`. */
export function edit(objects: Manifest[], kind: string, path: string, value: unknown): void {
  const o = objects.find((m) => m.kind === kind);
  if (!o) throw new Error(`no ${kind} in the manifests`);
  const keys = path.split('.');
  let cur = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    const idx = /^\d+$/.test(k) ? Number(k) : k;
    const next = (cur as Record<string | number, unknown>)[idx];
    if (typeof next !== 'object' || next === null) throw new Error(`${kind}: no ${path}`);
    cur = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] ?? '';
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** Drops the manifests of a kind. */
export function without(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((m) => m.kind !== kind);
}

/** Waits until `pred` holds (polling), or gives up after `ms`. */
export async function until(pred: () => boolean, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pred();
}

/** True when every pod of the namespace's StatefulSets is Ready in kube-sim's store. */
export function podsReady(sim: KubeSim, namespace: string, statefulSet: string): boolean {
  const pod = sim.view.get('pods', namespace, `${statefulSet}-0`);
  const conditions = ((pod?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Grades many namespaces at once. */
export async function gradeAll(env: SimEnv, lab: Lab, namespaces: string[], opts: { disruptive?: boolean } = {}): Promise<Record<string, RunResult>> {
  const results = await Promise.all(namespaces.map((namespace) => grade({ lab, namespace, kubeConfig: env.kc, timeMultiplier: MULT, disruptive: opts.disruptive })));
  return Object.fromEntries(results.map((r) => [r.namespace, r]));
}

/** id -> "status hint-key" (or just status), the shape the tests assert; errors print their message to help debugging. */
export function verdicts(r: RunResult | undefined): Record<string, string> {
  for (const c of r?.checks ?? []) if (c.status === 'error') console.warn(`${r?.namespace} ${c.id}: error: ${c.message}`);
  return Object.fromEntries((r?.checks ?? []).map((c: CheckResult) => [c.id, c.hint && c.status !== 'pass' ? `${c.status} ${c.hint.key}` : c.status]));
}

// The real cluster as tests see it: kubectl bound to the admin kubeconfig, a KubeConfig for
// @kubernetes/client-node, and polling with deadlines sized for a real kubelet.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { runProgram, until as waitUntil } from '@kubegrade/testkit';
import { grade, type RunResult } from '@kubegrade/grader';
import {
  applyScenarios,
  COURSE_ENVIRONMENT,
  gradeOptionsFor,
  kubeTarget,
  type Scenario,
} from '@kubegrade/grader/scenarios';
import { inject } from 'vitest';

/** What global-setup.ts provides, or null when the lane does not run here. */
export const realCluster = inject('realCluster');

/** One kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl against the real cluster (never throws; see `k`). */
export async function kubectl(...args: string[]): Promise<KubectlResult> {
  if (!realCluster) throw new Error('no real cluster');
  const { code, stdout, stderr } = await runProgram(
    realCluster.kubectl,
    ['--kubeconfig', realCluster.kubeconfig, ...args],
    { timeoutMs: 180_000 },
  );
  return { code, stdout, stderr };
}

/** kubectl that must succeed; resolves with stdout. */
export async function k(...args: string[]): Promise<string> {
  const r = await kubectl(...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** kubectl apply of a manifest given as text (stdin). */
export async function kApply(manifest: string): Promise<string> {
  if (!realCluster) throw new Error('no real cluster');
  const r = await runProgram(
    realCluster.kubectl,
    ['--kubeconfig', realCluster.kubeconfig, 'apply', '-f', '-'],
    {
      timeoutMs: 60_000,
      stdin: manifest,
    },
  );
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  return r.stdout;
}

/** A client-node KubeConfig for the admin user. */
export function adminKubeConfig(): KubeConfig {
  if (!realCluster) throw new Error('no real cluster');
  const kc = new KubeConfig();
  kc.loadFromFile(realCluster.kubeconfig);
  return kc;
}

/** A real kubelet takes seconds where kube-sim takes milliseconds: deadlines are this much longer. */
export const REAL_TIME_SCALE = 12;

/** Polls fn until it returns a truthy value or the (scaled) deadline passes: testkit's until, probing every 250 ms. */
export function until<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  return waitUntil(what, fn, { timeoutMs: timeoutMs * REAL_TIME_SCALE, intervalMs: 250 });
}

/**
 * Deletes namespaces and PersistentVolumes and waits until they are gone. A pod that a test left
 * held by a finalizer of its own (not a kubernetes.io one) is released, or the namespace would
 * stay Terminating for ever.
 */
export async function emptyCluster(namespaces: string[]): Promise<void> {
  const existing = (await k('get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'))
    .split(' ')
    .filter((n) => namespaces.includes(n));
  if (existing.length) {
    await k('delete', 'namespace', ...existing, '--wait=false');
    await until(
      'the namespaces to be gone',
      async () => {
        const left = (await k('get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'))
          .split(' ')
          .filter((n) => existing.includes(n));
        for (const ns of left) {
          const pods = JSON.parse(await k('get', 'pods', '-n', ns, '-o', 'json')) as {
            items: { metadata: { name: string; finalizers?: string[] } }[];
          };
          for (const p of pods.items) {
            if (p.metadata.finalizers?.some((f) => !f.startsWith('kubernetes.io/')))
              await k(
                'patch',
                'pod',
                p.metadata.name,
                '-n',
                ns,
                '--type=merge',
                '-p',
                '{"metadata":{"finalizers":null}}',
              );
          }
        }
        return left.length === 0;
      },
      20_000,
    );
  }
  // Only the PersistentVolumes of these namespaces (claimRef) or of nobody: other files' stay.
  const pvs = JSON.parse(await k('get', 'pv', '-o', 'json')) as {
    items: { metadata: { name: string }; spec: { claimRef?: { namespace?: string } } }[];
  };
  const ours = pvs.items
    .filter((pv) => !pv.spec.claimRef?.namespace || namespaces.includes(pv.spec.claimRef.namespace))
    .map((pv) => pv.metadata.name);
  if (ours.length) await k('delete', 'pv', ...ours, '--wait=true', '--timeout=120s');
}

/** A scratch directory for one test file. */
export const scratch = () => mkdtempSync(join(tmpdir(), 'kubegrade-real-'));

/**
 * Batches that fit the node: each Redis pod requests 100m CPU, so a 2-core node runs about 20 at
 * once (a real scheduler says Insufficient cpu beyond). Scenarios with waves other than 1 (lab A's
 * shared-PV flows) stay together in a batch of their own, so their order holds.
 */
function batches(list: readonly Scenario[], podBudget = 16): Scenario[][] {
  const waved = list.filter((s) => s.lab === 'pv-claimref');
  const out: Scenario[][] = waved.length ? [waved] : [];
  let current: Scenario[] = [];
  let pods = 0;
  for (const s of list.filter((x) => x.lab !== 'pv-claimref')) {
    if (current.length && pods + s.redisPods > podBudget) {
      out.push(current);
      current = [];
      pods = 0;
    }
    current.push(s);
    pods += s.redisPods;
  }
  if (current.length) out.push(current);
  return out;
}

/** Builds the scenarios on the real cluster batch by batch, grades each batch, empties the cluster after it. */
export async function buildAndGradeReal(
  scenarios: readonly Scenario[],
  log: (line: string) => void,
): Promise<Record<string, RunResult>> {
  const kc = adminKubeConfig();
  const target = kubeTarget(kc, { timeMultiplier: 3 });
  await target.apply([...COURSE_ENVIRONMENT]);
  const out: Record<string, RunResult> = {};
  for (const batch of batches(scenarios)) {
    const started = Date.now();
    try {
      await applyScenarios(target, batch);
      const built = Date.now();
      const results = await Promise.all(
        batch.map((s) => grade({ ...gradeOptionsFor(s), kubeConfig: kc, timeMultiplier: 1 })),
      );
      for (const r of results) out[r.namespace] = r;
      const labs = [...new Set(batch.map((s) => s.lab))].join(', ');
      log(
        `real cluster: ${batch.length} scenarios (${labs}) built in ${((built - started) / 1000).toFixed(0)} s, graded in ${((Date.now() - built) / 1000).toFixed(0)} s`,
      );
    } finally {
      for (const s of batch) if (s.cleanup) await applyScenarios(target, [{ ...s, steps: s.cleanup }]);
      await emptyCluster(batch.map((s) => s.namespace));
    }
  }
  return out;
}

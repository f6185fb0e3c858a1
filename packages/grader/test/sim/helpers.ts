// Shared by the kube-sim test files: one kube-sim (with real redis-server pods) per file, many
// student namespaces in it, graded concurrently.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { MULT } from '@kubegrade/testkit';
import { createPodRuntime, podIsReady, startKubeSim, type KubeSim } from './kube-sim.ts';
import { grade, type CheckResult, type Lab, type RunResult } from '../../src/index.ts';
import {
  applyScenarios,
  COURSE_ENVIRONMENT,
  GRADE_CONCURRENCY,
  gradeOptionsFor,
  inPool,
  kubeTarget,
  type Scenario,
} from '../scenarios/index.ts';

export type { Manifest } from './kube-sim.ts';
export { correctObjects, edit, without } from '../scenarios/index.ts';

/** A running kube-sim plus what tests need to talk to it. */
export interface SimEnv {
  sim: KubeSim;
  kc: KubeConfig;
  kubeconfigFile: string;
  stop(): Promise<void>;
}

/** Starts a kube-sim whose pods run real redis-server processes. */
export async function startSim(
  opts: { onRequest?: (r: { verb: string; resource: string; namespace?: string }) => void } = {},
): Promise<SimEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'grader-sim-'));
  const runtime = createPodRuntime({ dataDir: join(dir, 'data') });
  const sim = await startKubeSim({
    runtime,
    podReadyDelayMs: 30,
    dataDir: join(dir, 'data'),
    onRequest: opts.onRequest,
  });
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

/** True when every pod of the namespace's StatefulSets is Ready in kube-sim's store. */
export function podsReady(sim: KubeSim, namespace: string, statefulSet: string): boolean {
  const pod = sim.view.get('pods', namespace, `${statefulSet}-0`);
  return pod !== undefined && podIsReady(pod);
}

/** Grades many namespaces at once. */
export async function gradeAll(
  env: SimEnv,
  lab: Lab,
  namespaces: string[],
  opts: { disruptive?: boolean } = {},
): Promise<Record<string, RunResult>> {
  const results = await Promise.all(
    namespaces.map((namespace) =>
      grade({ lab, namespace, kubeConfig: env.kc, timeMultiplier: MULT, disruptive: opts.disruptive }),
    ),
  );
  return Object.fromEntries(results.map((r) => [r.namespace, r]));
}

/** id -> "status hint-key" (or just status), the shape the tests assert; errors print their message to help debugging. */
export function verdicts(r: RunResult | undefined): Record<string, string> {
  for (const c of r?.checks ?? [])
    if (c.status === 'error') console.warn(`${r?.namespace} ${c.id}: error: ${c.message}`);
  return Object.fromEntries(
    (r?.checks ?? []).map((c: CheckResult) => [
      c.id,
      c.hint && c.status !== 'pass' ? `${c.status} ${c.hint.key}` : c.status,
    ]),
  );
}

/** Builds the scenarios in kube-sim through the Kubernetes API (the same code a real cluster gets), then grades each as it says. */
export async function buildAndGrade(
  env: SimEnv,
  scenarios: readonly Scenario[],
): Promise<Record<string, RunResult>> {
  const target = kubeTarget(env.kc);
  await target.apply([...COURSE_ENVIRONMENT]);
  await applyScenarios(target, scenarios);
  const results = await inPool(
    scenarios,
    (s) => grade({ ...gradeOptionsFor(s), kubeConfig: env.kc, timeMultiplier: MULT }),
    GRADE_CONCURRENCY,
  );
  return Object.fromEntries(results.map((r) => [r.namespace, r]));
}

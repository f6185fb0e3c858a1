// `kubegrade lab test <lab> --solution <dir>`: an instructor proves a lab before the class sees it.
// The reference solution (manifests written for one namespace, e.g. the chapter's `shiqi`) is
// applied to scratch namespaces, on an in-process kube-sim by default or any cluster with
// --kubeconfig: first as given (it must pass in full), then as the mutation corpus derived from it
// (src/scenario/mutations.ts), each graded and compared with the verdict the mutation's stated facts
// imply. Prints the verdict table with every false pass marked.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kubeConfigFrom } from '../kube/config.ts';
import { grade } from '../runner.ts';
import { formatCorpus, mutationScenarios, scoreCorpus } from '../scenario/mutations.ts';
import { applyScenarios, GRADE_CONCURRENCY, inPool, kubeTarget } from '../scenario/target.ts';
import type { Manifest, Scenario } from '../scenario/types.ts';
import type { Lab, RunResult } from '../types.ts';

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'PersistentVolume',
  'StorageClass',
  'Node',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
]);

/** Options of labTest. */
export interface LabTestOptions {
  lab: Lab;
  solutionDir: string;
  /** The namespace the solution was written for (default: the one its namespaced objects name). */
  solutionNamespace?: string;
  /** A real cluster; without it an in-process kube-sim (real redis-server pods when installed). */
  kubeconfig?: string;
  context?: string;
  timeMultiplier?: number;
  /** Leave the scratch namespaces in place (real clusters). */
  keep?: boolean;
  out: (s: string) => void;
}

/** The solution's manifests, as text per file (name order), and the namespace they were written for. */
export function readSolution(dir: string, namespace?: string): { files: string[]; namespace: string } {
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  if (files.length === 0) throw new Error(`${dir}: no .yaml, .yml or .json manifests`);
  let ns = namespace;
  if (!ns) {
    for (const text of files)
      for (const doc of parseAllDocuments(text)) {
        const m = doc.toJS() as Manifest | null;
        if (!ns && m?.kind && !CLUSTER_SCOPED.has(m.kind) && m.metadata?.namespace) ns = m.metadata.namespace;
      }
  }
  if (!ns)
    throw new Error(`${dir}: no namespaced object names its namespace: say which with --solution-namespace`);
  return { files, namespace: ns };
}

/** A builder of the solution for another namespace: the namespace's name replaced in the text (names embed it), as kubectl apply -n would place it. */
export function solutionFor(files: string[], from: string): (namespace: string) => Manifest[] {
  const re = new RegExp(`\\b${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g');
  return (namespace) => {
    const out: Manifest[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }];
    for (const text of files) {
      for (const doc of parseAllDocuments(text.replace(re, namespace))) {
        if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message ?? 'invalid YAML');
        const m = doc.toJS() as Manifest | null;
        if (!m?.kind) continue;
        if (m.kind === 'Namespace') continue;
        if (!CLUSTER_SCOPED.has(m.kind)) m.metadata = { ...m.metadata, namespace };
        out.push(m);
      }
    }
    return out;
  };
}

/** Which corpus a lab gets: by its id for the shipped labs, else by the primitives it uses. */
function corpusKind(lab: Lab): 'pv-claimref' | 'redis-exist-pvc' | 'redis-not-exist-pvc' {
  if (lab.id === 'pv-claimref' || lab.id === 'redis-exist-pvc' || lab.id === 'redis-not-exist-pvc')
    return lab.id;
  const uses = new Set(lab.checks.map((c) => c.uses));
  if (uses.has('storageclass') || lab.checks.some((c) => c.uses === 'pvc-bound' && c.with.dynamic))
    return 'redis-not-exist-pvc';
  return uses.has('statefulset-ready') || uses.has('redis-persistence') ? 'redis-exist-pvc' : 'pv-claimref';
}

/** Expected statuses are per primitive; a lab's checks may have other ids. */
function forLab(lab: Lab, s: Scenario): Scenario {
  const expect: Record<string, string> = {};
  for (const c of lab.checks) {
    const want = s.expect[c.uses] ?? s.expect[c.id];
    if (want) expect[c.id] = want;
  }
  return { ...s, expect };
}

async function startSim(): Promise<{ kc: KubeConfig; stop(): Promise<void> }> {
  const { startKubeSim, createPodRuntime, nfsClientStorageClass } = await import('@kubegrade/kube-sim');
  const { KubeConfig } = await import('@kubernetes/client-node');
  // Redis pods are real redis-server processes: without one the persistence proofs mean nothing.
  const candidates = process.env.REDIS_SERVER
    ? [process.env.REDIS_SERVER]
    : ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];
  const redisServer = candidates.find((p) => existsSync(p));
  if (!redisServer)
    throw new Error(
      `kube-sim needs redis-server for its pods (${process.env.REDIS_SERVER ? `REDIS_SERVER=${process.env.REDIS_SERVER} does not exist` : 'none in /usr/bin or /usr/local/bin; set REDIS_SERVER'}), or test on a cluster with --kubeconfig`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'kubegrade-lab-test-'));
  const runtime = createPodRuntime({ dataDir: join(dir, 'data'), redisServer });
  const sim = await startKubeSim({ runtime, dataDir: join(dir, 'data'), podReadyDelayMs: 30 });
  await sim.apply([nfsClientStorageClass()]);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml);
  return {
    kc,
    async stop() {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function row(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();
}

/** Runs the lab test; resolves to the exit code (0 solution passes and no false pass, 1 otherwise, 2 the run failed). */
export async function labTest(o: LabTestOptions): Promise<number> {
  const { files, namespace: from } = readSolution(o.solutionDir, o.solutionNamespace);
  const build = solutionFor(files, from);
  const kind = corpusKind(o.lab);
  const all = mutationScenarios(kind, build, { prefix: 'lt' }).map((s) => forLab(o.lab, s));
  const [baseline, ...mutations] = all;
  if (!baseline) return 2;
  const sim = o.kubeconfig ? undefined : await startSim();
  const kc = sim?.kc ?? kubeConfigFrom({ kubeconfig: o.kubeconfig, context: o.context });
  const mult = o.timeMultiplier ?? (sim ? 0.25 : 1);
  const target = kubeTarget(kc, { timeMultiplier: Math.max(1, mult) });
  const gradeOne = (s: Scenario) =>
    grade({
      lab: o.lab,
      namespace: s.namespace,
      kubeConfig: kc,
      timeMultiplier: mult,
      disruptive: s.grade?.disruptive ?? true,
      only: s.grade?.only,
    });
  try {
    o.out(
      `lab ${o.lab.id}: solution ${o.solutionDir} (written for namespace ${from}) on ${sim ? 'kube-sim (in-process)' : `the cluster of ${o.kubeconfig}`}\n`,
    );
    await applyScenarios(target, [baseline]);
    const solution: RunResult = await gradeOne(baseline);
    o.out(
      `solution as given (namespace ${baseline.namespace}): ${solution.status}, ${solution.score}/${solution.maxScore}\n`,
    );
    for (const c of solution.checks) o.out(`  ${c.status.padEnd(7)} ${c.id}: ${c.message.slice(0, 200)}\n`);
    if (solution.status !== 'passed') {
      o.out(
        'the solution must pass in full before its mutations mean anything: fix the lab or the solution\n',
      );
      return solution.status === 'error' ? 2 : 1;
    }
    await applyScenarios(target, mutations, { concurrency: sim ? undefined : 10 });
    const results: Record<string, RunResult> = { [baseline.namespace]: solution };
    for (const r of await inPool(mutations, gradeOne, GRADE_CONCURRENCY)) results[r.namespace] = r;
    const counts = scoreCorpus(all, results);
    const ids = o.lab.checks.map((c) => c.id);
    const widths = [
      Math.max(...all.map((s) => s.namespace.length), 8),
      ...ids.map((id) => Math.max(id.length, 14)),
    ];
    o.out(`\n${row(['mutation', ...ids], widths)}\n`);
    for (const s of all) {
      const cells = ids.map((id) => {
        const want = (s.expect[id] ?? '').split(' ')[0] ?? '';
        const got = results[s.namespace]?.checks.find((c) => c.id === id)?.status ?? '-';
        if (!want) return got;
        if (got === want) return got;
        return got === 'pass' ? `FALSE PASS(${want})` : `${got}!=${want}`;
      });
      o.out(`${row([s.namespace, ...cells], widths)}\n`);
    }
    o.out(`\n${formatCorpus(counts)}\n`);
    for (const s of all) o.out(`  ${s.namespace}: ${s.title.replace(/^mutation [^:]+: /, '')}\n`);
    return counts.falsePasses === 0 ? 0 : 1;
  } finally {
    if (sim) await sim.stop();
    else if (!o.keep) await cleanUp(target, all);
  }
}

/** Removes what the test created on a real cluster: cleanup steps, namespaces, the PVs the solutions named. */
async function cleanUp(target: ReturnType<typeof kubeTarget>, scenarios: Scenario[]): Promise<void> {
  for (const s of scenarios) {
    try {
      if (s.cleanup) await applyScenarios(target, [{ ...s, steps: s.cleanup }]);
      for (const step of s.steps) {
        if (!('apply' in step)) continue;
        for (const m of step.apply)
          if (m.kind === 'PersistentVolume' || m.kind === 'Namespace')
            await target.delete({ apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name });
      }
    } catch {
      // Best effort: a leftover namespace is named in the output above.
    }
  }
}

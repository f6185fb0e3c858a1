// kube-sim with the real pods runtime (redis-server processes, exec, cluster DNS) and a generated
// class loaded: the simulated cluster the demo, the e2e stack, the benchmarks and deploy/'s RBAC test
// grade against.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPodRuntime,
  findRedisServer,
  generateClass,
  loadClass,
  startKubeSim,
  type ApplyTarget,
  type ClassSpec,
  type KubeObject,
  type KubeSim,
  type KubeSimOptions,
  type Lab,
  type MistakePlan,
  type PodRuntime,
  type SimPodRuntime,
} from '@kubegrade/kube-sim';

export {
  findRedisServer,
  generateClass,
  loadClass,
  MISTAKES_BY_LAB,
  type ClassSpec,
  type Lab,
  type Mistake,
  type MistakePlan,
} from '@kubegrade/kube-sim';

/** Options of startSimCluster. */
export interface SimClusterOptions {
  /** Passed to startKubeSim (port, podReadyDelayMs, onRequest ...). */
  sim?: Omit<KubeSimOptions, 'runtime' | 'dataDir'>;
  /** Wrap the runtime (tests inject crashing pods this way). */
  wrapRuntime?: (rt: PodRuntime) => PodRuntime;
  /** Where volumes and the kubeconfig go (a temporary directory, removed on stop, by default). */
  dir?: string;
}

/** A running simulated cluster. */
export interface SimCluster {
  sim: KubeSim;
  runtime: SimPodRuntime;
  /** Path of a kubeconfig file for kubectl and @kubernetes/client-node. */
  kubeconfig: string;
  /** True when pods run real redis-server processes; false when redis-server is missing (exec then fails). */
  realRedis: boolean;
  stop(): Promise<void>;
}

/** Starts kube-sim with the pods runtime on a fresh data directory. */
export async function startSimCluster(opts: SimClusterOptions = {}): Promise<SimCluster> {
  const own = !opts.dir;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'kubegrade-sim-')));
  const dataDir = join(dir, 'volumes');
  const redisServer = findRedisServer();
  const runtime = createPodRuntime({ dataDir, ...(redisServer ? { redisServer } : {}) });
  const sim = await startKubeSim({
    podReadyDelayMs: 100,
    ...opts.sim,
    dataDir,
    runtime: opts.wrapRuntime ? opts.wrapRuntime(runtime) : runtime,
  });
  runtime.attachView(sim.view);
  const kubeconfig = join(dir, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  let stopped = false;
  return {
    sim,
    runtime,
    kubeconfig,
    realRedis: Boolean(redisServer),
    async stop() {
      if (stopped) return;
      stopped = true;
      await sim.stop();
      if (own) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Generates a class for `lab` (namespaces `${prefix}001`...) and applies it. */
export async function loadGeneratedClass(
  sim: KubeSim,
  opts: {
    lab: Lab;
    students: number;
    mistakes: MistakePlan;
    seed?: number;
    namespacePrefix?: string;
    namespaces?: string[];
  },
): Promise<ClassSpec> {
  const spec = generateClass({ seed: 1, ...opts });
  // KubeSim.apply takes stored-object types; the generator's manifests have no uid yet.
  await loadClass(sim as unknown as ApplyTarget, spec);
  return spec;
}

/** The StatefulSets of these namespaces, for waiting. */
function statefulSets(sim: KubeSim, namespaces: readonly string[]): KubeObject[] {
  return namespaces.flatMap((ns) => sim.view.list('statefulsets', ns));
}

/**
 * Waits until every StatefulSet in `namespaces` has all replicas Ready, except in `except` (namespaces
 * whose pods are meant never to become Ready). Throws with the laggards after `timeoutMs`.
 */
export async function waitForReady(
  sim: KubeSim,
  namespaces: readonly string[],
  timeoutMs = 120_000,
  except: ReadonlySet<string> = new Set(),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const notReady = statefulSets(
      sim,
      namespaces.filter((ns) => !except.has(ns)),
    ).filter((s) => {
      const want = Number((s.spec as { replicas?: number } | undefined)?.replicas ?? 1);
      const ready = Number((s.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0);
      return ready < want;
    });
    if (notReady.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `StatefulSets not Ready after ${timeoutMs} ms: ${notReady
          .map((s) => `${s.metadata.namespace}/${s.metadata.name}`)
          .slice(0, 10)
          .join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The demo's class on the real single-node cluster (packages/cluster) instead of kube-sim:
// `npm run demo -- --cluster real`. The same generated class is applied through the Kubernetes API.
import {
  AppsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { startCluster } from '@kubegrade/cluster';
import {
  generateClass,
  loadClass,
  type ClassSpec,
  type Lab,
  type Manifest,
  type MistakePlan,
} from '@kubegrade/kube-sim';

/** Each Redis pod of the chapter requests 100m CPU: a 2-core node holds about 20 at once. */
export const REAL_CLUSTER_MAX_STUDENTS = 16;

/** A generated class on the real cluster. */
export interface RealClass {
  kubeconfig: string;
  url: string;
  spec: ClassSpec;
  /** Waits until every StatefulSet of these namespaces has its replicas Ready. */
  waitForReady(namespaces: readonly string[], timeoutMs: number): Promise<void>;
  /** Stops the cluster and restores the host. */
  stop(): Promise<void>;
}

/** Starts the real cluster (building or reusing its binaries) and loads a generated class into it. */
export async function startRealClass(opts: {
  lab: Lab;
  students: number;
  mistakes: MistakePlan;
  log: (line: string) => void;
}): Promise<RealClass> {
  const cluster = await startCluster({ log: (l) => opts.log(`cluster: ${l}`) });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const apply = async (list: Manifest[]) => {
      for (const o of list) {
        const body = structuredClone(o) as KubernetesObject;
        try {
          await objects.create(body);
        } catch (e) {
          if ((e as { code?: number }).code !== 409) throw e;
          await objects.patch(body, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
        }
      }
    };
    const spec = generateClass({
      seed: 1,
      lab: opts.lab,
      students: opts.students,
      mistakes: opts.mistakes,
      namespacePrefix: 'student-',
    });
    await loadClass({ apply: (list) => apply(list as Manifest[]) }, spec);
    const apps = kc.makeApiClient(AppsV1Api);
    return {
      kubeconfig: cluster.kubeconfig,
      url: cluster.server,
      spec,
      async waitForReady(namespaces, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const sets = (
            await Promise.all(namespaces.map((namespace) => apps.listNamespacedStatefulSet({ namespace })))
          ).flatMap((l) => l.items);
          const waiting = sets.filter((s) => (s.status?.readyReplicas ?? 0) < (s.spec?.replicas ?? 1));
          if (waiting.length === 0) return;
          if (Date.now() > deadline)
            throw new Error(
              `StatefulSets not Ready after ${timeoutMs} ms: ${waiting
                .map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)
                .slice(0, 10)
                .join(', ')}`,
            );
          await new Promise((r) => setTimeout(r, 1000));
        }
      },
      async stop() {
        const left = await cluster.stop();
        if (left.length) opts.log(`cluster: not restored: ${left.join('; ')}`);
      },
    };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

// Shared by the worker tests: a migrated throwaway database with the shipped lab and students, and
// a kube-sim (real redis-server pods) with those students' namespaces generated correct.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  createPubSub,
  createTestDatabase,
  startQueue,
  type PubSub,
  type PubSubMessage,
  type RunEvent,
  type TestDatabase,
} from '@kubegrade/db';
import { loadLabById, type Lab } from '@kubegrade/grader';
import {
  startKubeSim,
  createPodRuntime,
  podIsReady,
  type KubeObject,
  type KubeSim,
} from '@kubegrade/kube-sim';
import { MULT, until } from '@kubegrade/testkit';
import { generateClass, loadClass } from '../../../packages/kube-sim/src/scenarios/index.ts';

export const LAB_ID = 'redis-exist-pvc';
export const STS = 'statefulset-redis-exist-pvc';
export const CHECKS = ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns', 'redis-persistence'];

/** Everything a worker test needs. */
export interface Env {
  db: TestDatabase;
  sim: KubeSim;
  kc: KubeConfig;
  kubeconfigFile: string;
  pubsub: PubSub;
  /** namespace -> { userId, enrollmentId } */
  students: Map<string, { userId: string; enrollmentId: string }>;
  stop(): Promise<void>;
}

/** The lab as stored in the labs table (the loaded lab without its file path). */
export function labRow(lab: Lab = loadLabById(LAB_ID)) {
  const { source: _source, ...definition } = lab;
  return { id: lab.id, version: lab.version, definition: definition as object };
}

/** Starts the database, pg-boss's schema, kube-sim, and a class of correct students in `namespaces`. */
export async function startEnv(namespaces: string[]): Promise<Env> {
  const db = await createTestDatabase();
  const boss = await startQueue(db.url, { supervise: false, max: 1 });
  await boss.stop({ graceful: false });
  const dir = await mkdtemp(join(tmpdir(), 'worker-test-'));
  const runtime = createPodRuntime({ dataDir: join(dir, 'data') });
  const sim = await startKubeSim({ runtime, podReadyDelayMs: 30, dataDir: join(dir, 'data') });
  runtime.attachView(sim.view);
  const kubeconfigFile = join(dir, 'kubeconfig.yaml');
  await sim.writeKubeconfig(kubeconfigFile);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml);
  const spec = generateClass({ students: namespaces.length, lab: LAB_ID, namespaces, mistakes: [null] });
  await loadClass({ apply: (objects) => sim.apply(objects as unknown as KubeObject[] | string) }, spec);

  await db.prisma.lab.create({ data: labRow() });
  const course = await db.prisma.course.create({ data: { slug: 'k8s', name: 'Kubernetes storage' } });
  const students = new Map<string, { userId: string; enrollmentId: string }>();
  for (const ns of namespaces) {
    const user = await db.prisma.user.create({ data: { email: `${ns}@example.test`, name: ns } });
    const e = await db.prisma.enrollment.create({
      data: { userId: user.id, courseId: course.id, namespace: ns },
    });
    students.set(ns, { userId: user.id, enrollmentId: e.id });
  }
  await until("every student's Redis pod Ready", () => namespaces.every((ns) => podReady(sim, ns)), {
    timeoutMs: 60_000,
  });
  const pubsub = await createPubSub(db.url);
  return {
    db,
    sim,
    kc,
    kubeconfigFile,
    pubsub,
    students,
    async stop() {
      await new Promise<void>((r) => pubsub.close(r));
      await sim.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True when the namespace's Redis pod is Ready. */
export function podReady(sim: KubeSim, namespace: string): boolean {
  const pod = sim.view.get('pods', namespace, `${STS}-0`);
  return pod !== undefined && podIsReady(pod);
}

/** Records the run events published on a topic, in arrival order. */
export function record(ps: PubSub, topic: string): { events: RunEvent[]; stop(): void } {
  const events: RunEvent[] = [];
  const fn = (m: PubSubMessage, done: () => void) => {
    events.push(m.payload as RunEvent);
    done();
  };
  ps.on(topic, fn);
  return { events, stop: () => ps.removeListener(topic, fn) };
}

/** Common fast settings for tests. */
export const FAST = {
  timeMultiplier: MULT,
  pollingIntervalSeconds: 0.5,
  heartbeatSeconds: 0.5,
  staleAfterSeconds: 3,
  reconcileIntervalSeconds: 1,
  shutdownTimeoutSeconds: 5,
};

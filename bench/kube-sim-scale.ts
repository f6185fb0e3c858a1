// Scale figures for kube-sim: load N student namespaces (PV pre-bound by claimRef, PVC,
// StatefulSet, headless Service -> one pod each), wait for every StatefulSet to be Ready, then time
// the lists a grader and `kubectl get -A` make. Prints figures; asserts nothing.
//
//   npx tsx bench/kube-sim-scale.ts [students=500]

import * as k8s from '@kubernetes/client-node';
import { startKubeSim, type KubeObject } from '@kubegrade/kube-sim';

const students = Number(process.argv[2] ?? 500);

function studentObjects(ns: string): KubeObject[] {
  const o = (x: unknown) => x as KubeObject;
  return [
    o({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `pv-${ns}-redis-exist-pvc` },
      spec: {
        capacity: { storage: '64Mi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        nfs: { path: `/nfs/${ns}-redis-exist-pvc`, server: '192.168.110.168' },
        claimRef: { name: `pvc-${ns}-redis-exist-pvc`, namespace: ns },
      },
    }),
    o({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `pvc-${ns}-redis-exist-pvc`, namespace: ns },
      spec: {
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: '64Mi' } },
        storageClassName: '',
      },
    }),
    o({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'redis-exist-pvc', namespace: ns },
      spec: {
        clusterIP: 'None',
        selector: { app: 'redis-exist-pvc' },
        ports: [{ name: 'redis', port: 6379, targetPort: 6379 }],
      },
    }),
    o({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'statefulset-redis-exist-pvc', namespace: ns },
      spec: {
        serviceName: 'redis-exist-pvc',
        replicas: 1,
        selector: { matchLabels: { app: 'redis-exist-pvc' } },
        template: {
          metadata: { labels: { app: 'redis-exist-pvc' } },
          spec: {
            containers: [
              {
                name: 'redis',
                image: 'redis:7.4.4',
                ports: [{ containerPort: 6379, name: 'redis' }],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `pvc-${ns}-redis-exist-pvc` } }],
          },
        },
      },
    }),
  ];
}

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;

const sim = await startKubeSim({ podReadyDelayMs: 10 });
try {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);

  let t = performance.now();
  for (let i = 0; i < students; i++) await sim.apply(studentObjects(`student-${String(i).padStart(3, '0')}`));
  console.log(`load ${students} namespaces (${students * 4} objects, in-process apply): ${ms(t)}`);

  t = performance.now();
  for (;;) {
    await sim.settle();
    const ready = sim.view
      .list('statefulsets')
      .filter((s) => (s.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1).length;
    if (ready === students) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`all ${students} StatefulSets Ready (claims bound, pods Running): ${ms(t)}`);

  sim.requestCount = 0;
  t = performance.now();
  const pods = await core.listPodForAllNamespaces();
  console.log(`list pods -A over HTTP (${pods.items.length} pods): ${ms(t)}`);
  t = performance.now();
  const pvs = await core.listPersistentVolume();
  console.log(`list pv (${pvs.items.length}): ${ms(t)}`);
  t = performance.now();
  const table = await fetch(`${sim.url}/api/v1/pods?limit=500`, {
    headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
  });
  const rows = ((await table.json()) as { rows: unknown[] }).rows.length;
  console.log(`kubectl-style Table page of pods (limit=500, ${rows} rows): ${ms(t)}`);
  t = performance.now();
  for (let i = 0; i < students; i++) {
    const ns = `student-${String(i).padStart(3, '0')}`;
    await Promise.all([
      core.readNamespacedPersistentVolumeClaim({ name: `pvc-${ns}-redis-exist-pvc`, namespace: ns }),
      apps.readNamespacedStatefulSet({ name: 'statefulset-redis-exist-pvc', namespace: ns }),
      core.listNamespacedPod({ namespace: ns, labelSelector: 'app=redis-exist-pvc' }),
      core.readNamespacedEndpoints({ name: 'redis-exist-pvc', namespace: ns }),
    ]);
  }
  console.log(
    `per-student reads (PVC, StatefulSet, pods by label, Endpoints) x ${students}: ${ms(t)} (${sim.requestCount} requests)`,
  );
  console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await sim.stop();
}

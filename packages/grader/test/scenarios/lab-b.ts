// Lab B (redis-exist-pvc) scenarios: a correct namespace (with the student's own SET testkey),
// every generated mistake, hand-made ones, the chapter's own manifests, and a busybox sidecar.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { namespaceObject, parseManifests } from '@kubegrade/kube-sim';
import {
  correctObjects,
  edit,
  NFS_SERVER,
  podPhase,
  podReady,
  pvcPhase,
  studentObjects,
} from './manifests.ts';
import type { Manifest, Scenario, Step } from './types.ts';

export const STS_B = 'statefulset-redis-exist-pvc';
export const ALL_PASS_B = {
  'pv-claimref': 'pass',
  'pvc-bound': 'pass',
  'statefulset-ready': 'pass',
  'headless-dns': 'pass',
  'redis-persistence': 'pass',
};
const NOT_BOUND = {
  'statefulset-ready': 'fail pod-not-running',
  'headless-dns': 'skipped',
  'redis-persistence': 'skipped',
};

/** The chapter's own lab-B manifests (namespace shiqi), as written; `nfsServer` replaces its NFS address. */
export function chapterManifests(nfsServer = NFS_SERVER): Manifest[] {
  const text = readFileSync(resolve(import.meta.dirname, 'chapter-redis-exist-pvc.yaml'), 'utf8')
    .split(NFS_SERVER)
    .join(nfsServer);
  return [namespaceObject('shiqi'), ...parseManifests(text, 'chapter-redis-exist-pvc.yaml')];
}

/** The student's chapter step: redis-cli SET testkey, SAVE (each must answer OK). */
export function studentSetsTestkey(namespace: string, pod = `${STS_B}-0`): Step[] {
  return [
    {
      exec: {
        namespace,
        pod,
        container: 'redis',
        command: ['redis-cli', 'SET', 'testkey', 'Hello, Redis!'],
        expect: 'OK',
      },
    },
    { exec: { namespace, pod, container: 'redis', command: ['redis-cli', 'SAVE'], expect: 'OK' } },
  ];
}

/** Lab B's scenarios. */
export function labBScenarios(nfsServer = NFS_SERVER): Scenario[] {
  const out: Scenario[] = [];
  const pod0 = `${STS_B}-0`;
  const push = (
    namespace: string,
    title: string,
    steps: Step[],
    expect: Record<string, string>,
    extra: Partial<Scenario> = {},
  ) => out.push({ lab: 'redis-exist-pvc', namespace, title, steps, expect, redisPods: 1, ...extra });
  // What the namespace settles into before grading: Ready, Running (readiness failing) or neither.
  const settle = (ns: string, expect: Record<string, string>): Step[] =>
    expect['statefulset-ready'] === 'pass' ||
    expect['statefulset-ready'] === 'fail data-volume-emptydir' ||
    expect['statefulset-ready'] === 'fail data-volume-missing'
      ? [podReady(ns, pod0)]
      : expect['statefulset-ready'] === 'fail readiness-failing'
        ? [podPhase(ns, pod0, 'Running')]
        : [];

  const generated: Record<string, Record<string, string>> = {
    correct: ALL_PASS_B,
    'claimref-wrong-namespace': {
      'pv-claimref': 'fail claimref-namespace-wrong',
      'pvc-bound': 'fail claimref-namespace-wrong',
      ...NOT_BOUND,
    },
    // The claim is created before the PV: it gets a dynamically provisioned volume, which Redis
    // then uses happily; only the claim check says what went wrong.
    'missing-storageclassname': { ...ALL_PASS_B, 'pvc-bound': 'fail pvc-storageclass-missing' },
    'servicename-mismatch': { ...ALL_PASS_B, 'headless-dns': 'fail service-name-mismatch' },
    'emptydir-instead-of-claim': {
      ...ALL_PASS_B,
      'statefulset-ready': 'fail data-volume-emptydir',
      'redis-persistence': 'fail data-lost',
    },
    'readiness-never-passes': {
      ...ALL_PASS_B,
      'statefulset-ready': 'fail readiness-failing',
      'headless-dns': 'skipped',
      'redis-persistence': 'skipped',
    },
    'no-service': { ...ALL_PASS_B, 'headless-dns': 'fail service-missing' },
    'stale-claimref': { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-stale-claimref', ...NOT_BOUND },
    'pv-capacity-mismatch': {
      'pv-claimref': 'fail pv-attributes-wrong',
      'pvc-bound': 'fail pvc-size-mismatch',
      ...NOT_BOUND,
    },
    'pv-accessmode-mismatch': {
      'pv-claimref': 'fail pv-attributes-wrong',
      'pvc-bound': 'fail pvc-access-mode-mismatch',
      ...NOT_BOUND,
    },
    'service-not-headless': { ...ALL_PASS_B, 'headless-dns': 'fail service-not-headless' },
    'half-done': {
      'pv-claimref': 'pass',
      'pvc-bound': 'pass',
      'statefulset-ready': 'fail statefulset-missing',
      'headless-dns': 'fail statefulset-missing',
      'redis-persistence': 'skipped',
    },
  };
  for (const [m, expect] of Object.entries(generated)) {
    const ns = `b-${m}`;
    const s = studentObjects(
      'redis-exist-pvc',
      ns,
      m === 'correct' ? null : (m as Parameters<typeof studentObjects>[2]),
      nfsServer,
    );
    const steps: Step[] = [{ apply: s.objects }];
    if (s.after.length > 0)
      steps.push(pvcPhase(ns, `pvc-${ns}-redis-exist-pvc`, 'Bound'), { apply: s.after });
    steps.push(...settle(ns, expect));
    // The student did the chapter's step: SET testkey, SAVE. The grader must report it.
    if (m === 'correct') steps.push(...studentSetsTestkey(ns));
    push(
      ns,
      m === 'correct' ? "the chapter, correct, with the student's SET testkey" : `generated mistake ${m}`,
      steps,
      expect,
      m === 'half-done' ? { redisPods: 0 } : {},
    );
  }

  const handmade: Record<
    string,
    { title: string; change: (ns: string, o: Manifest[]) => void; expect: Record<string, string> }
  > = {
    'b-selects-nothing': {
      title: 'headless Service selects app: redis',
      change: (_ns, o) => edit(o, 'Service', 'spec.selector', { app: 'redis' }),
      expect: { ...ALL_PASS_B, 'headless-dns': 'fail service-selects-nothing' },
    },
    'b-no-data-mount': {
      title: 'container mounts nothing at /data',
      change: (_ns, o) => edit(o, 'StatefulSet', 'spec.template.spec.containers.0.volumeMounts', []),
      expect: {
        ...ALL_PASS_B,
        'statefulset-ready': 'fail data-volume-missing',
        'redis-persistence': 'fail data-lost',
      },
    },
    'b-claimref-name': {
      title: 'PV claimRef names pvc-{ns}-redis',
      change: (ns, o) => edit(o, 'PersistentVolume', 'spec.claimRef.name', `pvc-${ns}-redis`),
      expect: {
        'pv-claimref': 'fail claimref-name-wrong',
        'pvc-bound': 'fail claimref-name-wrong',
        ...NOT_BOUND,
      },
    },
    'b-wrong-claim': {
      title: 'StatefulSet mounts a claim that does not exist',
      change: (_ns, o) =>
        edit(
          o,
          'StatefulSet',
          'spec.template.spec.volumes.0.persistentVolumeClaim.claimName',
          'pvc-somebody-else',
        ),
      expect: {
        ...ALL_PASS_B,
        'statefulset-ready': 'fail data-volume-wrong-claim',
        'headless-dns': 'skipped',
        'redis-persistence': 'skipped',
      },
    },
  };
  for (const [ns, h] of Object.entries(handmade)) {
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    h.change(ns, o);
    push(ns, h.title, [{ apply: o }, ...settle(ns, h.expect)], h.expect);
  }

  // Verdict classes of issue [2/8]: which container is Redis, objects on their way out, ownership
  // before the disruptive step, messages that name the real cause.
  const sts = (o: Manifest[]) =>
    o.find((m) => m.kind === 'StatefulSet') as Manifest & {
      spec: {
        template: { metadata: Record<string, unknown>; spec: { containers: Record<string, unknown>[] } };
      };
    };
  const sidecar = (mounts: unknown[]) => ({
    name: 'backup',
    image: 'busybox:1.36',
    command: ['sleep', '3600'],
    volumeMounts: mounts,
  });
  {
    // A sidecar listed first holds the claim at /data; Redis's own /data is the container's.
    const ns = 'b-sidecar-holds-claim';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    const spec = sts(o).spec.template.spec;
    const redis = spec.containers[0] ?? {};
    spec.containers = [sidecar(redis.volumeMounts as unknown[]), { ...redis, volumeMounts: [] }];
    push(
      ns,
      'busybox sidecar (listed first) mounts the claim at /data; the Redis container mounts nothing',
      [{ apply: o }, podReady(ns, pod0)],
      {
        ...ALL_PASS_B,
        'statefulset-ready': 'fail data-volume-missing',
        'redis-persistence': 'fail data-lost',
      },
    );
  }
  {
    const ns = 'b-sidecar-first';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    const spec = sts(o).spec.template.spec;
    spec.containers = [sidecar([]), ...spec.containers];
    push(
      ns,
      'busybox sidecar listed before a correct Redis container',
      [{ apply: o }, podReady(ns, pod0)],
      ALL_PASS_B,
    );
  }
  {
    // No StatefulSet: a bare pod named like pod 0. Never deleted by the grader.
    const ns = 'b-bare-pod';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    const t = sts(o).spec.template;
    const pod: Manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod0, namespace: ns, labels: t.metadata.labels as Record<string, string> },
      spec: t.spec,
    };
    push(
      ns,
      'bare pod named statefulset-redis-exist-pvc-0, no StatefulSet',
      [{ apply: [...o.filter((m) => m.kind !== 'StatefulSet'), pod] }, podReady(ns, pod0)],
      {
        'pv-claimref': 'pass',
        'pvc-bound': 'pass',
        'statefulset-ready': 'fail statefulset-missing',
        'headless-dns': 'fail statefulset-missing',
        'redis-persistence': 'fail pod-not-owned',
      },
    );
  }
  {
    // The claim is deleted while the pod uses it: pvc-protection keeps it, Terminating.
    const ns = 'b-pvc-terminating';
    const claim = `pvc-${ns}-redis-exist-pvc`;
    push(
      ns,
      'claim deleted while its pod runs (kept Terminating by pvc-protection); graded non-disruptively',
      [
        { apply: correctObjects('redis-exist-pvc', ns, nfsServer) },
        podReady(ns, pod0),
        { delete: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: claim } },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: ns,
            name: claim,
            path: 'metadata.deletionTimestamp',
            present: true,
          },
        },
      ],
      {
        ...ALL_PASS_B,
        'pvc-bound': 'fail pvc-terminating',
        'statefulset-ready': 'fail pvc-terminating',
        'redis-persistence': 'skipped',
      },
      { grade: { disruptive: false } },
    );
  }
  {
    // The template carries a finalizer; pod 0 is deleted and stays Terminating with its containers stopped.
    const ns = 'b-pod-terminating';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    sts(o).spec.template.metadata.finalizers = ['kubegrade.example/hold'];
    const pod = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod0 };
    push(
      ns,
      'pod template with a finalizer; pod 0 deleted and held Terminating',
      [
        { apply: o },
        podReady(ns, pod0),
        { delete: pod },
        { wait: { ...pod, path: 'status.conditions[?(@.type=="Ready")].status', equals: 'False' } },
      ],
      {
        'pv-claimref': 'pass',
        'pvc-bound': 'pass',
        'statefulset-ready': 'fail pod-terminating',
        'headless-dns': 'skipped',
        'redis-persistence': 'skipped',
      },
      // The template first: a pod re-created from the old template would carry the finalizer again.
      {
        cleanup: [
          {
            patch: {
              apiVersion: 'apps/v1',
              kind: 'StatefulSet',
              namespace: ns,
              name: STS_B,
              body: { spec: { template: { metadata: { finalizers: null } } } },
            },
          },
          { patch: { ...pod, body: { metadata: { finalizers: null } } } },
        ],
      },
    );
  }
  {
    // The Service carries a finalizer and was deleted: Terminating, its endpoints gone.
    const ns = 'b-svc-terminating';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    const svc = o.find((m) => m.kind === 'Service');
    if (svc) svc.metadata.finalizers = ['kubegrade.example/hold'];
    const ref = { apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'redis-exist-pvc' };
    push(
      ns,
      'headless Service deleted, held Terminating by a finalizer',
      [
        { apply: o },
        podReady(ns, pod0),
        { delete: ref },
        { wait: { ...ref, path: 'metadata.deletionTimestamp', present: true } },
      ],
      { ...ALL_PASS_B, 'headless-dns': 'fail service-missing' },
      { cleanup: [{ patch: { ...ref, body: { metadata: { finalizers: null } } } }] },
    );
  }
  {
    const ns = 'b-readonly-data';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    edit(o, 'StatefulSet', 'spec.template.spec.containers.0.volumeMounts.0.readOnly', true);
    // The image's entrypoint chowns /data first: refused on a read-only mount, so it crash-loops.
    push(
      ns,
      '/data mounted readOnly',
      [
        { apply: o },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: ns,
            name: pod0,
            path: 'status.containerStatuses[0].lastState.terminated.reason',
            equals: 'Error',
          },
        },
      ],
      {
        'pv-claimref': 'pass',
        'pvc-bound': 'pass',
        'statefulset-ready': 'fail data-volume-readonly',
        'headless-dns': 'skipped',
        'redis-persistence': 'skipped',
      },
    );
  }
  {
    // Redis writes its dump to --dir: /tmp is the container's own filesystem.
    const ns = 'b-redis-dir-tmp';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    edit(o, 'StatefulSet', 'spec.template.spec.containers.0.args', ['--dir', '/tmp']);
    push(ns, 'redis args --dir /tmp (claim mounted at /data)', [{ apply: o }, podReady(ns, pod0)], {
      ...ALL_PASS_B,
      'statefulset-ready': 'fail redis-dir-elsewhere',
      'redis-persistence': 'fail data-lost',
    });
  }
  {
    // No readiness probe and a configuration Redis rejects: the container crash-loops; the
    // message must say so, not "readiness probe failing".
    const ns = 'b-crashloop-no-probe';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    edit(o, 'StatefulSet', 'spec.template.spec.containers.0.readinessProbe', undefined);
    edit(o, 'StatefulSet', 'spec.template.spec.containers.0.livenessProbe', undefined);
    edit(o, 'StatefulSet', 'spec.template.spec.containers.0.args', ['--maxmemory-policy', 'bogus']);
    push(
      ns,
      'no readiness probe; redis rejects its args and crash-loops',
      [
        { apply: o },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: ns,
            name: pod0,
            path: 'status.containerStatuses[0].lastState.terminated.reason',
            equals: 'Error',
          },
        },
      ],
      {
        'pv-claimref': 'pass',
        'pvc-bound': 'pass',
        'statefulset-ready': 'fail pod-not-running',
        'headless-dns': 'skipped',
        'redis-persistence': 'skipped',
      },
    );
  }

  push(
    'shiqi',
    "the chapter's own manifests (Service name differs from serviceName)",
    [{ apply: chapterManifests(nfsServer) }, podReady('shiqi', `${STS_B}-0`)],
    {
      ...ALL_PASS_B,
      'headless-dns': 'fail service-name-mismatch',
    },
  );

  {
    // A busybox sidecar has nslookup but no getent: the fallback resolver.
    const ns = 'b-busybox';
    const o = correctObjects('redis-exist-pvc', ns, nfsServer);
    edit(o, 'StatefulSet', 'spec.template.spec.containers.1', {
      name: 'tools',
      image: 'busybox:1.36',
      command: ['sleep', '3600'],
    });
    push(
      ns,
      'busybox sidecar; DNS judged from it (nslookup, no getent)',
      [{ apply: o }, podReady(ns, `${STS_B}-0`)],
      { 'headless-dns': 'pass' },
      {
        labEdit: { checks: { 'headless-dns': { container: 'tools' } } },
        grade: { only: ['headless-dns'] },
      },
    );
  }
  return out;
}

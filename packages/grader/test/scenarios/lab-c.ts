// Lab C (redis-not-exist-pvc, dynamic provisioning) scenarios.
import { correctObjects, edit, NFS_SERVER, podPhase, podReady, studentObjects } from './manifests.ts';
import type { Scenario, Step } from './types.ts';

export const STS_C = 'statefulset-redis-not-exist-pvc';
export const ALL_PASS_C = {
  storageclass: 'pass',
  'pvc-bound': 'pass',
  'statefulset-ready': 'pass',
  'headless-dns': 'pass',
  'redis-persistence': 'pass',
};

/** Lab C's scenarios. */
export function labCScenarios(nfsServer = NFS_SERVER): Scenario[] {
  const out: Scenario[] = [];
  const push = (
    namespace: string,
    title: string,
    steps: Step[],
    expect: Record<string, string>,
    extra: Partial<Scenario> = {},
  ) => out.push({ lab: 'redis-not-exist-pvc', namespace, title, steps, expect, redisPods: 1, ...extra });
  const pod0 = `${STS_C}-0`;

  const generated: Record<string, Record<string, string>> = {
    correct: ALL_PASS_C,
    'servicename-mismatch': { ...ALL_PASS_C, 'headless-dns': 'fail service-name-mismatch' },
    // No volumeClaimTemplates at all: the claim the lab expects never exists.
    'emptydir-instead-of-claim': {
      ...ALL_PASS_C,
      'pvc-bound': 'fail pvc-missing',
      'statefulset-ready': 'fail data-volume-emptydir',
      'redis-persistence': 'fail data-lost',
    },
    'readiness-never-passes': {
      ...ALL_PASS_C,
      'statefulset-ready': 'fail readiness-failing',
      'headless-dns': 'skipped',
      'redis-persistence': 'skipped',
    },
    // The chapter defines no Service for this lab: a failure with a hint, not a crash.
    'no-service': { ...ALL_PASS_C, 'headless-dns': 'fail service-missing' },
    'service-not-headless': { ...ALL_PASS_C, 'headless-dns': 'fail service-not-headless' },
  };
  for (const [m, expect] of Object.entries(generated)) {
    const ns = `c-${m}`;
    const s = studentObjects(
      'redis-not-exist-pvc',
      ns,
      m === 'correct' ? null : (m as Parameters<typeof studentObjects>[2]),
      nfsServer,
    );
    const wait = m === 'readiness-never-passes' ? podPhase(ns, pod0, 'Running') : podReady(ns, pod0);
    push(
      ns,
      m === 'correct' ? 'the chapter, correct' : `generated mistake ${m}`,
      [{ apply: s.objects }, wait],
      expect,
    );
  }

  {
    // A claim template asking for a class nobody installed (the chapter's "nfs-client-retain").
    const ns = 'c-wrong-class';
    const o = correctObjects('redis-not-exist-pvc', ns, nfsServer);
    edit(o, 'StatefulSet', 'spec.volumeClaimTemplates.0.spec.storageClassName', 'nfs-client-retain');
    push(ns, 'claim template asks for StorageClass nfs-client-retain, which does not exist', [{ apply: o }], {
      storageclass: 'fail claim-not-dynamic',
      'pvc-bound': 'fail claim-not-dynamic',
      'statefulset-ready': 'fail pod-not-running',
      'headless-dns': 'skipped',
      'redis-persistence': 'skipped',
    });
  }
  {
    // The claim made by hand, static (storageClassName "", a pre-bound NFS PV), before the
    // StatefulSet adopts it by name: it works, but nothing was provisioned dynamically.
    const ns = 'c-static-claim';
    const claim = `pvc-${ns}-${STS_C}-0`;
    push(
      ns,
      'pod 0 claim made by hand from a static PV',
      [
        {
          apply: [
            {
              apiVersion: 'v1',
              kind: 'PersistentVolume',
              metadata: { name: `pv-${ns}` },
              spec: {
                capacity: { storage: '64Mi' },
                accessModes: ['ReadWriteOnce'],
                persistentVolumeReclaimPolicy: 'Retain',
                nfs: { server: nfsServer, path: `/nfs/${ns}` },
                claimRef: { name: claim, namespace: ns },
              },
            },
            { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
            {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              metadata: { name: claim, namespace: ns },
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: '64Mi' } },
                storageClassName: '',
              },
            },
            ...correctObjects('redis-not-exist-pvc', ns, nfsServer).filter((m) => m.kind !== 'Namespace'),
          ],
        },
        podReady(ns, pod0),
      ],
      { ...ALL_PASS_C, storageclass: 'fail claim-not-dynamic', 'pvc-bound': 'fail claim-not-dynamic' },
    );
  }
  {
    // The instructor's lab names a StorageClass the cluster lacks; the student's namespace is correct.
    const ns = 'c-lab-class-missing';
    push(
      ns,
      'correct namespace, graded by a lab whose storageClass (nfs-client-retain) the cluster lacks',
      [{ apply: correctObjects('redis-not-exist-pvc', ns, nfsServer) }, podReady(ns, pod0)],
      {
        storageclass: 'fail storageclass-missing',
        'pvc-bound': 'fail claim-not-dynamic',
        'statefulset-ready': 'pass',
        'headless-dns': 'pass',
        'redis-persistence': 'skipped',
      },
      { labEdit: { params: { storageClass: 'nfs-client-retain' } }, grade: { disruptive: false } },
    );
  }
  // The environment did not act: a StorageClass whose provisioner nobody runs. `error` naming the
  // course environment, never hints about the student's manifests.
  for (const [ns, cls, provisioner, labProvisioner, expectClaim, title] of [
    [
      'c-env-no-provisioner',
      'kubegrade-no-provisioner',
      'example.com/not-running',
      'example.com/not-running',
      'error env-provisioner-not-running',
      "the lab's StorageClass exists but its provisioner is not running",
    ],
    [
      'c-env-other-provisioner',
      'kubegrade-other-provisioner',
      'example.com/other',
      undefined,
      'error env-storageclass-provisioner',
      "the lab's StorageClass uses a provisioner other than the lab's",
    ],
  ] as const) {
    const o = correctObjects('redis-not-exist-pvc', ns, nfsServer);
    edit(o, 'StatefulSet', 'spec.volumeClaimTemplates.0.spec.storageClassName', cls);
    const storageClass = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: cls },
      provisioner,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    };
    push(
      ns,
      title,
      [
        { apply: [storageClass, ...o] },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: ns,
            name: `pvc-${ns}-${STS_C}-0`,
            path: 'status.phase',
            equals: 'Pending',
          },
        },
      ],
      {
        storageclass: labProvisioner ? 'pass' : 'error env-storageclass-provisioner',
        'pvc-bound': expectClaim,
        'statefulset-ready': 'error env-provisioner-not-running',
        'headless-dns': 'skipped',
        'redis-persistence': 'skipped',
      },
      {
        labEdit: {
          params: { storageClass: cls, ...(labProvisioner ? { provisioner: labProvisioner } : {}) },
        },
        cleanup: [{ delete: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: cls } }],
      },
    );
  }
  return out;
}

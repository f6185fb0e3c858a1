// The mutation corpus: from a lab's correct namespace (an instructor's reference solution), derive
// variants by changing each field some check claims to verify, in ways that keep or break the
// taught property. Each mutation states beside it the facts that hold afterwards (a small
// predicate over Kubernetes semantics: does the claim still bind, is pod 0 Ready, does Redis's
// /data live on the claim...); the expected verdict of every check follows from those facts,
// never from running the grader. The result is a list of scenarios (src/scenario/types.ts).
import type { CheckStatus, RunResult } from '../types.ts';
import type { Manifest, Scenario, Step } from './types.ts';

/** What holds in a mutated namespace (defaults: everything the correct namespace has). */
export interface Facts {
  /** The PV exists, pre-bound by claimRef to the claim (name and namespace), with the taught attributes. */
  pvOk: boolean;
  /** The lab's claim is Bound (to the lab's PV, or dynamically provisioned from the lab's class), both sides agreeing. */
  bound: boolean;
  /** The StorageClass exists and the claim (when it exists) asks for it. */
  classOk: boolean;
  /** The StatefulSet exists. */
  stsExists: boolean;
  /** Pod 0 exists and is Ready. */
  podReady: boolean;
  /** Pod 0 is controlled by the StatefulSet. */
  owned: boolean;
  /** Redis's own data directory is the lab's claim, writable (mount, volume, --dir). */
  mountOk: boolean;
  /** The headless Service named by serviceName selects the pods. */
  svcOk: boolean;
  /** Data written and saved survives deleting pod 0 (default: mountOk). */
  survives: boolean;
}

type LabKind = 'pv-claimref' | 'redis-exist-pvc' | 'redis-not-exist-pvc';

/** The expected status of every check of a lab, from the facts. */
export function expectedStatuses(lab: LabKind, f: Facts): Record<string, CheckStatus> {
  const pods: Record<string, CheckStatus> = {
    'statefulset-ready': f.stsExists && f.podReady && f.mountOk ? 'pass' : 'fail',
    'headless-dns': !f.stsExists || !f.svcOk ? 'fail' : f.podReady ? 'pass' : 'skipped',
    'redis-persistence': !f.podReady ? 'skipped' : !f.owned || !f.survives ? 'fail' : 'pass',
  };
  if (lab === 'pv-claimref')
    return { 'pv-claimref': f.pvOk ? 'pass' : 'fail', 'pvc-bound': f.bound ? 'pass' : 'fail' };
  if (lab === 'redis-exist-pvc')
    return { 'pv-claimref': f.pvOk ? 'pass' : 'fail', 'pvc-bound': f.bound ? 'pass' : 'fail', ...pods };
  return { storageclass: f.classOk ? 'pass' : 'fail', 'pvc-bound': f.bound ? 'pass' : 'fail', ...pods };
}

/** One mutation: which field, how, and the facts afterwards. */
export interface Mutation {
  id: string;
  /** The field changed, as a path a student would recognise. */
  field: string;
  /** The labs it applies to. */
  labs: LabKind[];
  /** Changes the objects in place; false when the mutation does not apply to these objects. */
  change(o: Manifest[], ns: string): boolean | void;
  /** Steps instead of one apply (e.g. an order, a delete after Ready); gets the mutated objects. */
  steps?(o: Manifest[], ns: string): Step[];
  /** The facts afterwards (a function when they differ by lab). */
  facts: Partial<Facts> | ((lab: LabKind) => Partial<Facts>);
  grade?: Scenario['grade'];
}

// Manifests are free-form JSON here: mutations reach into them by path.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const kind = (o: Manifest[], k: string): Loose => o.find((m) => m.kind === k);
const sts = (o: Manifest[]) => kind(o, 'StatefulSet');
const podSpec = (o: Manifest[]): Loose => sts(o)?.spec?.template?.spec;
const redis = (o: Manifest[]): Loose => podSpec(o)?.containers?.[0];
const pvSpec = (o: Manifest[]): Loose => kind(o, 'PersistentVolume')?.spec;
const pvcSpec = (o: Manifest[]): Loose => kind(o, 'PersistentVolumeClaim')?.spec;
const svc = (o: Manifest[]) => kind(o, 'Service');
const vct = (o: Manifest[]): Loose => sts(o)?.spec?.volumeClaimTemplates?.[0];
const podName = (o: Manifest[]): string => `${String(sts(o)?.metadata?.name ?? 'statefulset')}-0`;
const drop = (o: Manifest[], k: string) => {
  const i = o.findIndex((m) => m.kind === k);
  if (i < 0) return false;
  o.splice(i, 1);
  return true;
};
const podReadyStep = (ns: string, pod: string): Step => ({
  wait: {
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: ns,
    name: pod,
    path: 'status.conditions[?(@.type=="Ready")].status',
    equals: 'True',
  },
});

const PV_LABS: LabKind[] = ['pv-claimref', 'redis-exist-pvc'];
const POD_LABS: LabKind[] = ['redis-exist-pvc', 'redis-not-exist-pvc'];
const NOT_BOUND = { pvOk: true, bound: false, podReady: false } as const;

/** Every mutation the corpus knows. */
export const MUTATIONS: readonly Mutation[] = [
  // The PV (labs A and B): claimRef, quantities, access modes, reclaim policy, source.
  {
    id: 'pv-claimref-ns',
    field: 'PV spec.claimRef.namespace',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s?.claimRef) return false;
      s.claimRef.namespace = 'default';
    },
    facts: { ...NOT_BOUND, pvOk: false },
  },
  {
    id: 'pv-claimref-name',
    field: 'PV spec.claimRef.name',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s?.claimRef) return false;
      s.claimRef.name = `${String(s.claimRef.name)}-x`;
    },
    facts: { ...NOT_BOUND, pvOk: false },
  },
  {
    id: 'pv-capacity-less',
    field: 'PV spec.capacity.storage (32Mi < the claim)',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s?.capacity) return false;
      s.capacity.storage = '32Mi';
    },
    facts: { ...NOT_BOUND, pvOk: false },
  },
  {
    id: 'pv-capacity-bytes',
    field: 'PV spec.capacity.storage (67108864 = 64Mi)',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (s?.capacity?.storage !== '64Mi') return false;
      s.capacity.storage = '67108864';
    },
    facts: {},
  },
  {
    id: 'pv-capacity-more',
    field: 'PV spec.capacity.storage (128Mi, not the taught 64Mi)',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s?.capacity) return false;
      s.capacity.storage = '128Mi';
    },
    facts: { pvOk: false },
  },
  {
    id: 'pv-rwo',
    field: 'PV spec.accessModes [ReadWriteOnce]',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s) return false;
      s.accessModes = ['ReadWriteOnce'];
    },
    facts: { ...NOT_BOUND, pvOk: false },
  },
  {
    id: 'pv-rwx-rwo',
    field: 'PV spec.accessModes [ReadWriteMany, ReadWriteOnce]',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s) return false;
      s.accessModes = ['ReadWriteMany', 'ReadWriteOnce'];
    },
    facts: { pvOk: false },
  },
  {
    id: 'pv-rwx-order',
    field: 'PV spec.accessModes listed twice',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s?.accessModes) return false;
      s.accessModes = [...s.accessModes, ...s.accessModes];
    },
    facts: {},
  },
  {
    id: 'pv-reclaim-delete',
    field: 'PV spec.persistentVolumeReclaimPolicy Delete',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s) return false;
      s.persistentVolumeReclaimPolicy = 'Delete';
    },
    facts: { pvOk: false },
  },
  {
    id: 'pv-nfs-path',
    field: 'PV spec.nfs.path',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (!s?.nfs) return false;
      s.nfs.path = `${String(s.nfs.path)}-other`;
    },
    facts: { pvOk: false },
  },
  {
    id: 'pv-hostpath',
    field: 'PV volume source hostPath instead of nfs',
    labs: PV_LABS,
    change: (o, ns) => {
      const s = pvSpec(o);
      if (!s?.nfs) return false;
      delete s.nfs;
      s.hostPath = { path: `/tmp/kubegrade-${ns}` };
    },
    facts: { pvOk: false },
  },
  {
    id: 'pv-missing',
    field: 'PV (none)',
    labs: PV_LABS,
    change: (o) => drop(o, 'PersistentVolume'),
    facts: { ...NOT_BOUND, pvOk: false },
  },
  // The claim (labs A and B).
  {
    id: 'pvc-no-class-after-pv',
    field: 'PVC spec.storageClassName unset, made after the pre-bound PV',
    labs: PV_LABS,
    change: (o) => {
      const s = pvcSpec(o);
      if (!s || s.storageClassName !== '') return false;
      delete s.storageClassName;
    },
    steps: (o) => {
      const pv = kind(o, 'PersistentVolume');
      const pvc = o.filter((m) => m.kind === 'PersistentVolumeClaim');
      return [
        { apply: o.filter((m) => m.kind !== 'PersistentVolumeClaim' && m.kind !== 'StatefulSet') },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            name: pv?.metadata.name ?? '',
            path: 'status.phase',
            equals: 'Available',
          },
        },
        { apply: [...pvc, ...o.filter((m) => m.kind === 'StatefulSet')] },
      ];
    },
    facts: {},
  },
  {
    id: 'pvc-no-class-before-pv',
    field: 'PVC spec.storageClassName unset, made before the PV (the default class provisions it)',
    labs: PV_LABS,
    change: (o) => {
      const s = pvcSpec(o);
      if (!s || s.storageClassName !== '' || !kind(o, 'PersistentVolume')) return false;
      delete s.storageClassName;
    },
    steps: (o, ns) => {
      const pvc = kind(o, 'PersistentVolumeClaim')?.metadata.name ?? '';
      return [
        { apply: o.filter((m) => m.kind !== 'PersistentVolume') },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: ns,
            name: pvc,
            path: 'status.phase',
            equals: 'Bound',
          },
        },
        { apply: o.filter((m) => m.kind === 'PersistentVolume') },
        ...(sts(o) ? [podReadyStep(ns, podName(o))] : []),
      ];
    },
    // The claim is Bound, but to a provisioned volume: not the pre-bound PV, which stays Available.
    facts: { bound: false },
  },
  {
    id: 'pv-capacity-gi',
    field: 'PV spec.capacity.storage (0.0625Gi = 64Mi)',
    labs: PV_LABS,
    change: (o) => {
      const s = pvSpec(o);
      if (s?.capacity?.storage !== '64Mi') return false;
      s.capacity.storage = '0.0625Gi';
    },
    facts: {},
  },
  {
    id: 'pvc-more',
    field: 'PVC spec.resources.requests.storage 1Gi',
    labs: PV_LABS,
    change: (o) => {
      const s = pvcSpec(o);
      if (!s?.resources) return false;
      s.resources.requests.storage = '1Gi';
    },
    facts: NOT_BOUND,
  },
  {
    id: 'pvc-less',
    field: 'PVC spec.resources.requests.storage 32Mi',
    labs: PV_LABS,
    change: (o) => {
      const s = pvcSpec(o);
      if (!s?.resources) return false;
      s.resources.requests.storage = '32Mi';
    },
    facts: {},
  },
  {
    id: 'pvc-rwo',
    field: 'PVC spec.accessModes [ReadWriteOnce]',
    labs: PV_LABS,
    change: (o) => {
      const s = pvcSpec(o);
      if (!s) return false;
      s.accessModes = ['ReadWriteOnce'];
    },
    facts: NOT_BOUND,
  },
  {
    id: 'pvc-renamed',
    field: 'PVC metadata.name',
    labs: PV_LABS,
    change: (o) => {
      const c = kind(o, 'PersistentVolumeClaim');
      if (!c) return false;
      c.metadata.name = `${c.metadata.name}-x`;
    },
    facts: { pvOk: true, bound: false, podReady: false, mountOk: false },
  },
  {
    id: 'pv-terminating',
    field: 'PV deleted while Bound (deletionTimestamp)',
    labs: ['pv-claimref'],
    change: (o) => Boolean(kind(o, 'PersistentVolume')),
    steps: (o, ns) => {
      const pv = kind(o, 'PersistentVolume')?.metadata.name ?? '';
      const pvc = kind(o, 'PersistentVolumeClaim')?.metadata.name ?? '';
      return [
        { apply: o },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: ns,
            name: pvc,
            path: 'status.phase',
            equals: 'Bound',
          },
        },
        { delete: { apiVersion: 'v1', kind: 'PersistentVolume', name: pv } },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            name: pv,
            path: 'metadata.deletionTimestamp',
            present: true,
          },
        },
      ];
    },
    facts: { pvOk: false, bound: false },
  },
  // Lab C's claim template.
  {
    id: 'vct-class-other',
    field: 'volumeClaimTemplates storageClassName (a class that does not exist)',
    labs: ['redis-not-exist-pvc'],
    change: (o) => {
      const t = vct(o);
      if (!t) return false;
      t.spec.storageClassName = 'nfs-client-retain';
    },
    facts: { classOk: false, bound: false, podReady: false },
  },
  {
    id: 'vct-class-default',
    field: 'volumeClaimTemplates storageClassName unset (the default class)',
    labs: ['redis-not-exist-pvc'],
    change: (o) => {
      const t = vct(o);
      if (!t) return false;
      delete t.spec.storageClassName;
    },
    facts: {},
  },
  {
    id: 'vct-more',
    field: 'volumeClaimTemplates storage 1Gi',
    labs: ['redis-not-exist-pvc'],
    change: (o) => {
      const t = vct(o);
      if (!t) return false;
      t.spec.resources.requests.storage = '1Gi';
    },
    facts: {},
  },
  {
    id: 'vct-rwx',
    field: 'volumeClaimTemplates accessModes [ReadWriteMany]',
    labs: ['redis-not-exist-pvc'],
    change: (o) => {
      const t = vct(o);
      if (!t) return false;
      t.spec.accessModes = ['ReadWriteMany'];
    },
    facts: {},
  },
  {
    id: 'vct-renamed',
    field: 'volumeClaimTemplates metadata.name (and the mount)',
    labs: ['redis-not-exist-pvc'],
    change: (o) => {
      const t = vct(o);
      const c = redis(o);
      if (!t || !c) return false;
      const old = String(t.metadata.name);
      t.metadata.name = `${old}-x`;
      for (const m of (c.volumeMounts ?? []) as Record<string, unknown>[])
        if (m.name === old) m.name = `${old}-x`;
    },
    // Another claim is provisioned and holds the data; the lab's claim never exists.
    facts: { bound: false, mountOk: false, survives: true },
  },
  {
    id: 'vct-removed-emptydir',
    field: 'volumeClaimTemplates removed, /data an emptyDir',
    labs: ['redis-not-exist-pvc'],
    change: (o) => {
      const s = sts(o);
      const t = vct(o);
      const p = podSpec(o);
      if (!s || !t || !p) return false;
      delete s.spec.volumeClaimTemplates;
      p.volumes = [{ name: t.metadata.name, emptyDir: {} }];
    },
    facts: { bound: false, mountOk: false },
  },
  // The StatefulSet and its pod template (labs B and C).
  // Lab C's claim exists only once the controller creates pod 0.
  {
    id: 'sts-replicas-0',
    field: 'StatefulSet spec.replicas 0',
    labs: POD_LABS,
    change: (o) => {
      const s = sts(o);
      if (!s) return false;
      s.spec.replicas = 0;
    },
    facts: (lab) => ({ podReady: false, bound: lab !== 'redis-not-exist-pvc' }),
  },
  {
    id: 'sts-replicas-2',
    field: 'StatefulSet spec.replicas 2 (RWX claim shared)',
    labs: ['redis-exist-pvc'],
    change: (o) => {
      const s = sts(o);
      if (!s) return false;
      s.spec.replicas = 2;
    },
    facts: {},
  },
  {
    id: 'sts-servicename',
    field: 'StatefulSet spec.serviceName',
    labs: POD_LABS,
    change: (o) => {
      const s = sts(o);
      if (!s) return false;
      s.spec.serviceName = `${String(s.spec.serviceName)}-x`;
    },
    facts: { svcOk: false },
  },
  {
    id: 'sts-renamed',
    field: 'StatefulSet metadata.name',
    labs: POD_LABS,
    change: (o) => {
      const s = sts(o);
      if (!s) return false;
      s.metadata.name = `${String(s.metadata.name)}-x`;
    },
    steps: (o, ns) => [{ apply: o }, podReadyStep(ns, podName(o))],
    // Lab C's claim is named after the StatefulSet: the lab's claim never exists.
    facts: (lab) => ({ stsExists: false, podReady: false, bound: lab !== 'redis-not-exist-pvc' }),
  },
  {
    id: 'sts-missing',
    field: 'StatefulSet (none)',
    labs: POD_LABS,
    change: (o) => drop(o, 'StatefulSet'),
    facts: (lab) => ({ stsExists: false, podReady: false, bound: lab !== 'redis-not-exist-pvc' }),
  },
  {
    id: 'bare-pod',
    field: 'a bare Pod named like pod 0 instead of the StatefulSet',
    labs: ['redis-exist-pvc'],
    change: (o, ns) => {
      const s = sts(o);
      if (!s) return false;
      const pod: Manifest = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName(o), namespace: ns, labels: s.spec.template.metadata.labels },
        spec: structuredClone(s.spec.template.spec),
      };
      drop(o, 'StatefulSet');
      o.push(pod);
    },
    steps: (o, ns) => [{ apply: o }, podReadyStep(ns, o.find((m) => m.kind === 'Pod')?.metadata.name ?? '')],
    facts: { stsExists: false, owned: false },
  },
  {
    id: 'image-mirror',
    field: "container image (the chapter's mirror of redis:7.4.4)",
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.image = 'swr.cn-north-4.myhuaweicloud.com/ddn-k8s/docker.io/redis:7.4.4';
    },
    facts: {},
  },
  {
    id: 'image-other-tag',
    field: 'container image redis:7.2',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.image = 'redis:7.2';
    },
    facts: {},
  },
  {
    id: 'container-sidecar-first',
    field: 'containers: a busybox sidecar listed first',
    labs: POD_LABS,
    change: (o) => {
      const p = podSpec(o);
      if (!p) return false;
      p.containers.unshift({ name: 'tools', image: 'busybox:1.36', command: ['sleep', '3600'] });
    },
    facts: {},
  },
  {
    id: 'container-sidecar-holds-data',
    field: 'containers: a sidecar mounts the claim at /data, Redis nothing',
    labs: ['redis-exist-pvc'],
    change: (o) => {
      const p = podSpec(o);
      const c = redis(o);
      if (!p || !c) return false;
      p.containers.unshift({
        name: 'tools',
        image: 'busybox:1.36',
        command: ['sleep', '3600'],
        volumeMounts: c.volumeMounts,
      });
      c.volumeMounts = [];
    },
    facts: { mountOk: false },
  },
  {
    id: 'mount-elsewhere',
    field: 'volumeMounts mountPath /var/lib/redis',
    labs: POD_LABS,
    change: (o) => {
      const m = redis(o)?.volumeMounts?.[0];
      if (!m) return false;
      m.mountPath = '/var/lib/redis';
    },
    facts: { mountOk: false },
  },
  {
    id: 'mount-trailing-slash',
    field: 'volumeMounts mountPath /data/',
    labs: POD_LABS,
    change: (o) => {
      const m = redis(o)?.volumeMounts?.[0];
      if (!m) return false;
      m.mountPath = '/data/';
    },
    facts: {},
  },
  {
    id: 'mount-subpath',
    field: 'volumeMounts subPath redis',
    labs: POD_LABS,
    change: (o) => {
      const m = redis(o)?.volumeMounts?.[0];
      if (!m) return false;
      m.subPath = 'redis';
    },
    facts: {},
  },
  {
    id: 'mount-readonly',
    field: 'volumeMounts readOnly: true',
    labs: POD_LABS,
    change: (o) => {
      const m = redis(o)?.volumeMounts?.[0];
      if (!m) return false;
      m.readOnly = true;
    },
    steps: (o, ns) => [
      { apply: o },
      {
        wait: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: ns,
          name: podName(o),
          path: 'status.containerStatuses[0].lastState.terminated.reason',
          equals: 'Error',
        },
      },
    ],
    facts: { mountOk: false, podReady: false },
  },
  {
    id: 'volume-emptydir',
    field: 'volumes: emptyDir instead of the claim',
    labs: ['redis-exist-pvc'],
    change: (o) => {
      const v = podSpec(o)?.volumes?.[0];
      if (!v?.persistentVolumeClaim) return false;
      delete v.persistentVolumeClaim;
      v.emptyDir = {};
    },
    facts: { mountOk: false },
  },
  {
    id: 'volume-other-claim',
    field: 'volumes: persistentVolumeClaim.claimName of no claim',
    labs: ['redis-exist-pvc'],
    change: (o) => {
      const v = podSpec(o)?.volumes?.[0];
      if (!v?.persistentVolumeClaim) return false;
      v.persistentVolumeClaim.claimName = 'pvc-nobody';
    },
    facts: { podReady: false, mountOk: false },
  },
  {
    id: 'probe-removed',
    field: 'readinessProbe removed',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c?.readinessProbe) return false;
      delete c.readinessProbe;
    },
    facts: {},
  },
  {
    id: 'probe-tcp',
    field: 'readinessProbe tcpSocket 6379',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.readinessProbe = { tcpSocket: { port: 6379 }, periodSeconds: 5 };
    },
    facts: {},
  },
  {
    id: 'probe-tcp-wrong-port',
    field: 'readinessProbe tcpSocket 6380',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.readinessProbe = { tcpSocket: { port: 6380 }, periodSeconds: 5 };
    },
    steps: (o, ns) => [
      { apply: o },
      {
        wait: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: ns,
          name: podName(o),
          path: 'status.phase',
          equals: 'Running',
        },
      },
    ],
    facts: { podReady: false },
  },
  {
    id: 'args-dir-tmp',
    field: 'args --dir /tmp',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.args = ['--dir', '/tmp'];
    },
    facts: { mountOk: false },
  },
  {
    id: 'args-dir-data',
    field: 'args --dir /data',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.args = ['--dir', '/data'];
    },
    facts: {},
  },
  {
    id: 'args-save-off',
    field: 'args --save "" (SAVE still writes the dump)',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.args = ['--save', ''];
    },
    facts: {},
  },
  {
    id: 'args-appendonly',
    field: 'args --appendonly yes',
    labs: POD_LABS,
    change: (o) => {
      const c = redis(o);
      if (!c) return false;
      c.args = ['--appendonly', 'yes'];
    },
    facts: {},
  },
  {
    id: 'pvc-terminating',
    field: 'PVC deleted while the pod uses it (deletionTimestamp)',
    labs: ['redis-exist-pvc'],
    change: (o) => Boolean(kind(o, 'PersistentVolumeClaim')),
    steps: (o, ns) => {
      const pvc = kind(o, 'PersistentVolumeClaim')?.metadata.name ?? '';
      return [
        { apply: o },
        podReadyStep(ns, podName(o)),
        { delete: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: pvc } },
        {
          wait: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: ns,
            name: pvc,
            path: 'metadata.deletionTimestamp',
            present: true,
          },
        },
      ];
    },
    // The running pod keeps the claim (pvc-protection); its replacement cannot start on it.
    facts: { bound: false, mountOk: false, survives: false },
    grade: { disruptive: false },
  },
  {
    id: 'pod-terminating',
    field: 'pod template finalizer; pod 0 deleted and held (deletionTimestamp)',
    labs: POD_LABS,
    change: (o) => {
      const s = sts(o);
      if (!s) return false;
      s.spec.template.metadata = { ...s.spec.template.metadata, finalizers: ['kubegrade.example/hold'] };
    },
    steps: (o, ns) => {
      const pod = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: podName(o) };
      return [
        { apply: o },
        podReadyStep(ns, pod.name),
        { delete: pod },
        { wait: { ...pod, path: 'status.conditions[?(@.type=="Ready")].status', equals: 'False' } },
      ];
    },
    facts: { podReady: false },
  },
  // The Service (labs B and C).
  {
    id: 'svc-not-headless',
    field: 'Service spec.clusterIP unset (not headless)',
    labs: POD_LABS,
    change: (o) => {
      const s = svc(o);
      if (!s?.spec) return false;
      delete s.spec.clusterIP;
    },
    facts: { svcOk: false },
  },
  {
    id: 'svc-renamed',
    field: 'Service metadata.name',
    labs: POD_LABS,
    change: (o) => {
      const s = svc(o);
      if (!s) return false;
      s.metadata.name = `${s.metadata.name}-x`;
    },
    facts: { svcOk: false },
  },
  {
    id: 'svc-selector',
    field: 'Service spec.selector',
    labs: POD_LABS,
    change: (o) => {
      const s = svc(o);
      if (!s?.spec) return false;
      s.spec.selector = { app: 'nothing' };
    },
    facts: { svcOk: false },
  },
  {
    id: 'svc-externalname',
    field: 'Service type ExternalName',
    labs: POD_LABS,
    change: (o) => {
      const s = svc(o);
      if (!s?.spec) return false;
      s.spec = { type: 'ExternalName', externalName: 'redis.example.com', selector: s.spec.selector };
    },
    facts: { svcOk: false },
  },
  {
    id: 'svc-port',
    field: 'Service port 6380',
    labs: POD_LABS,
    change: (o) => {
      const s = svc(o);
      if (!s?.spec?.ports) return false;
      s.spec.ports = [{ name: 'redis', port: 6380, targetPort: 6379 }];
    },
    facts: {},
  },
  {
    id: 'svc-missing',
    field: 'Service (none)',
    labs: POD_LABS,
    change: (o) => drop(o, 'Service'),
    facts: { svcOk: false },
  },
];

const DEFAULT_FACTS: Facts = {
  pvOk: true,
  bound: true,
  classOk: true,
  stsExists: true,
  podReady: true,
  owned: true,
  mountOk: true,
  svcOk: true,
  survives: true,
};

/** The scenarios of a lab's corpus, from a builder of its correct namespace. */
export function mutationScenarios(
  lab: LabKind,
  solution: (namespace: string) => Manifest[],
  opts: { prefix?: string } = {},
): Scenario[] {
  const prefix =
    opts.prefix ?? { 'pv-claimref': 'ma', 'redis-exist-pvc': 'mb', 'redis-not-exist-pvc': 'mc' }[lab];
  const out: Scenario[] = [];
  const baseline: Mutation = {
    id: 'correct',
    field: '(none: the solution as given)',
    labs: [lab],
    change: () => true,
    facts: {},
  };
  for (const m of [baseline, ...MUTATIONS]) {
    if (!m.labs.includes(lab)) continue;
    const namespace = `${prefix}-${m.id}`.slice(0, 40).replace(/-+$/, '');
    const objects = structuredClone(solution(namespace));
    if (m.change(objects, namespace) === false) continue;
    const withPods = lab !== 'pv-claimref';
    const given = typeof m.facts === 'function' ? m.facts(lab) : m.facts;
    const f: Facts = { ...DEFAULT_FACTS, ...given };
    if (given.survives === undefined) f.survives = f.mountOk;
    const steps = m.steps?.(objects, namespace) ?? [
      { apply: objects },
      ...(withPods && f.podReady && f.stsExists ? [podReadyStep(namespace, podName(objects))] : []),
    ];
    const statuses = expectedStatuses(lab, f);
    if (m.grade?.disruptive === false && statuses['redis-persistence'])
      statuses['redis-persistence'] = 'skipped';
    out.push({
      lab,
      namespace,
      title: `mutation ${m.id}: ${m.field}`,
      steps,
      expect: statuses,
      redisPods: withPods ? 1 : 0,
      ...(m.grade ? { grade: m.grade } : {}),
      // The template first: a pod re-created from the old template would carry the finalizer again.
      ...(m.id === 'pod-terminating'
        ? {
            cleanup: [
              {
                patch: {
                  apiVersion: 'apps/v1',
                  kind: 'StatefulSet',
                  namespace,
                  name: String(sts(objects)?.metadata?.name ?? ''),
                  body: { spec: { template: { metadata: { finalizers: null } } } },
                },
              },
              {
                patch: {
                  apiVersion: 'v1',
                  kind: 'Pod',
                  namespace,
                  name: podName(objects),
                  body: { metadata: { finalizers: null } },
                },
              },
            ],
          }
        : {}),
    });
  }
  return out;
}

/** Counts of a corpus run. */
export interface CorpusCounts {
  mutations: number;
  verdicts: number;
  agree: number;
  falsePasses: number;
  falseFails: number;
  errors: number;
  /** Every verdict that differs from the expected one. */
  wrong: { namespace: string; check: string; expected: string; got: string; message: string }[];
}

/** Compares results with the scenarios' expected statuses (the hint key, if any, is not compared). */
export function scoreCorpus(
  scenarios: readonly Scenario[],
  results: Record<string, RunResult | undefined>,
): CorpusCounts {
  const c: CorpusCounts = {
    mutations: scenarios.length,
    verdicts: 0,
    agree: 0,
    falsePasses: 0,
    falseFails: 0,
    errors: 0,
    wrong: [],
  };
  for (const s of scenarios) {
    const r = results[s.namespace];
    for (const [check, want] of Object.entries(s.expect)) {
      const expected = want.split(' ')[0] ?? want;
      const got = r?.checks.find((x) => x.id === check);
      const status = got?.status ?? 'missing';
      c.verdicts++;
      if (status === 'error') c.errors++;
      if (status === expected) {
        c.agree++;
        continue;
      }
      if (status === 'pass') c.falsePasses++;
      if (status === 'fail' && expected === 'pass') c.falseFails++;
      c.wrong.push({ namespace: s.namespace, check, expected, got: status, message: got?.message ?? '' });
    }
  }
  return c;
}

/** The counts and every wrong verdict, as printed by the test and `kubegrade lab test`. */
export function formatCorpus(c: CorpusCounts): string {
  const lines = [
    `mutations ${c.mutations}, verdicts ${c.verdicts}, agree ${c.agree}, false passes ${c.falsePasses}, false fails ${c.falseFails}, errors ${c.errors}`,
  ];
  for (const w of c.wrong)
    lines.push(
      `  ${w.got === 'pass' ? 'FALSE PASS' : 'WRONG'} ${w.namespace} ${w.check}: expected ${w.expected}, got ${w.got} (${w.message.slice(0, 160)})`,
    );
  return lines.join('\n');
}

// Every primitive's judge on fixture tables: facts in, verdict out, no cluster. A row names the
// facts (plain Kubernetes objects as a list would return them), the parameters, and the verdict
// as `status hint-key` (or what the judge asks to read next), plus the message key.
import type {
  CoreV1Event,
  V1ObjectReference,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
  V1StatefulSet,
  V1StorageClass,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Message } from '../src/messages.ts';
import {
  headlessDns,
  objectMatches,
  pvClaimRef,
  pvcBound,
  statefulSetReady,
  storageClass,
} from '../src/primitives/index.ts';
import { judgeHeadlessDns, type HeadlessDnsFacts } from '../src/primitives/headless-dns.ts';
import { judgeObjectMatches } from '../src/primitives/object-matches.ts';
import { judgePvClaimRef } from '../src/primitives/pv-claimref.ts';
import { judgePvcBound, type PvcBoundFacts } from '../src/primitives/pvc-bound.ts';
import {
  judgeBeforeDelete,
  judgeNotRecreated,
  judgeReadBack,
  judgeWrite,
  parseReadBack,
  parseWrite,
} from '../src/primitives/redis-persistence.ts';
import { judgeStatefulSetReady, type StatefulSetReadyFacts } from '../src/primitives/statefulset-ready.ts';
import { judgeStorageClass } from '../src/primitives/storageclass.ts';
import type { CheckContext, Outcome } from '../src/primitives/registry.ts';
import { DeadlineError } from '../src/errors.ts';

const NS = 'shiqi';

/** `status hint` of a verdict, `transient` marked, or `need ...` when the judge asks for more. */
function verdict(j: (Outcome & { transient?: boolean }) | { need: unknown } | undefined): string {
  if (j === undefined) return 'go ahead';
  if ('need' in j) return `need ${typeof j.need === 'string' ? j.need : JSON.stringify(j.need)}`;
  const hint = typeof j.hint === 'string' ? ` ${j.hint}` : '';
  return `${j.status}${hint}${j.transient ? ' (transient)' : ''}`;
}

function key(j: Outcome | { need: unknown } | undefined): string | undefined {
  if (!j || 'need' in j) return undefined;
  return typeof j.message === 'string' ? j.message : (j.message as Message).$msg;
}

interface Row<F> {
  name: string;
  facts: F;
  with?: Record<string, unknown>;
  expect: string;
  message?: string;
}

// --- fixtures -----------------------------------------------------------------------------------

const pv = (
  name: string,
  o: {
    claimRef?: V1ObjectReference | null;
    phase?: string;
    annotations?: Record<string, string>;
    deleting?: boolean;
    capacity?: string;
    storageClassName?: string;
  } = {},
): V1PersistentVolume => ({
  metadata: {
    name,
    ...(o.annotations ? { annotations: o.annotations } : {}),
    ...(o.deleting ? { deletionTimestamp: new Date('2026-12-01T00:00:00Z') } : {}),
  },
  spec: {
    capacity: { storage: o.capacity ?? '1Gi' },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Retain',
    nfs: { server: '10.0.0.1', path: `/nfs/${NS}-redis` },
    storageClassName: o.storageClassName ?? '',
    ...(o.claimRef === null ? {} : { claimRef: o.claimRef ?? { name: 'pvc-redis', namespace: NS } }),
  },
  status: { phase: o.phase ?? 'Available' },
});

const pvc = (
  name: string,
  o: {
    phase?: string;
    volumeName?: string;
    storageClassName?: string | null;
    request?: string;
    uid?: string;
    deleting?: boolean;
  } = {},
): V1PersistentVolumeClaim => ({
  metadata: {
    name,
    uid: o.uid ?? 'pvc-uid',
    ...(o.deleting ? { deletionTimestamp: new Date('2026-12-01T00:00:00Z') } : {}),
  },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: o.request ?? '1Gi' } },
    ...(o.volumeName ? { volumeName: o.volumeName } : {}),
    ...(o.storageClassName === null ? {} : { storageClassName: o.storageClassName ?? '' }),
  },
  status: { phase: o.phase ?? 'Pending' },
});

const boundPv = (name: string, uid = 'pvc-uid'): V1PersistentVolume =>
  pv(name, { claimRef: { name: 'pvc-redis', namespace: NS, uid }, phase: 'Bound' });

const readyCond = [{ type: 'Ready', status: 'True' }];
const redisC = {
  name: 'redis',
  image: 'redis:7.4.4',
  ports: [{ containerPort: 6379 }],
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
};

const sts = (
  o: {
    replicas?: number;
    ready?: number;
    observed?: number;
    volumes?: unknown[];
    templates?: string[];
    serviceName?: string;
    deleting?: boolean;
    args?: string[];
  } = {},
): V1StatefulSet => ({
  metadata: {
    name: 'redis',
    uid: 'sts-uid',
    generation: 1,
    ...(o.deleting ? { deletionTimestamp: new Date('2026-12-01T00:00:00Z') } : {}),
  },
  spec: {
    replicas: o.replicas ?? 1,
    serviceName: o.serviceName ?? 'redis-headless',
    selector: { matchLabels: { app: 'redis' } },
    template: {
      metadata: { labels: { app: 'redis' } },
      spec: {
        containers: [{ ...redisC, ...(o.args ? { args: o.args } : {}) }],
        volumes: (o.volumes ?? [
          { name: 'data', persistentVolumeClaim: { claimName: 'pvc-redis' } },
        ]) as never,
      },
    },
    volumeClaimTemplates: (o.templates ?? []).map((n) => ({ metadata: { name: n } })),
  },
  status: { observedGeneration: o.observed ?? 1, readyReplicas: o.ready ?? 1, replicas: o.replicas ?? 1 },
});

const pod = (
  name: string,
  o: {
    ready?: boolean;
    phase?: string;
    uid?: string;
    waiting?: string;
    restarts?: number;
    unschedulable?: string;
    owner?: boolean;
    ip?: string;
  } = {},
): V1Pod => ({
  metadata: {
    name,
    uid: o.uid ?? `${name}-uid`,
    labels: { app: 'redis' },
    ...(o.owner === false
      ? {}
      : {
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'redis', uid: 'sts-uid', controller: true },
          ],
        }),
  },
  spec: {
    containers: [{ ...redisC, readinessProbe: { exec: { command: ['redis-cli', 'ping'] } } }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pvc-redis' } }],
  },
  status: {
    phase: o.phase ?? 'Running',
    podIP: o.ip ?? '10.244.0.5',
    conditions: [
      ...(o.ready === false ? [{ type: 'Ready', status: 'False' }] : readyCond),
      ...(o.unschedulable
        ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: o.unschedulable }]
        : []),
    ],
    containerStatuses: o.unschedulable
      ? []
      : [
          {
            name: 'redis',
            image: 'redis:7.4.4',
            imageID: '',
            ready: o.ready !== false,
            restartCount: o.restarts ?? 0,
            state: o.waiting ? { waiting: { reason: o.waiting } } : { running: {} },
          },
        ],
  },
});

const headless = (
  o: { clusterIP?: string; selector?: Record<string, string>; name?: string } = {},
): V1Service => ({
  metadata: { name: o.name ?? 'redis-headless' },
  spec: { clusterIP: o.clusterIP ?? 'None', selector: o.selector ?? { app: 'redis' } },
});

const sc = (name: string, provisioner = 'nfs.csi.k8s.io'): V1StorageClass => ({
  metadata: { name },
  provisioner,
});
const event = (reason: string, claim = 'pvc-redis', message = ''): CoreV1Event => ({
  metadata: {},
  involvedObject: { kind: 'PersistentVolumeClaim', name: claim },
  reason,
  message,
});

function table<F, P>(
  judge: (facts: F, p: P) => Outcome | { need: unknown },
  parse: (w: Record<string, unknown>) => P,
  base: Record<string, unknown>,
  rows: Row<F>[],
): void {
  for (const r of rows) {
    it(r.name, () => {
      const j = judge(r.facts, parse({ ...base, ...r.with }));
      expect(verdict(j)).toBe(r.expect);
      if (r.message) expect(key(j)).toBe(r.message);
    });
  }
}

// --- tables -------------------------------------------------------------------------------------

describe('pv-claimref', () => {
  const base = {
    pv: 'pv-redis',
    claimName: 'pvc-redis',
    claimNamespace: NS,
    capacity: '1Gi',
    accessModes: ['ReadWriteOnce'],
    reclaimPolicy: 'Retain',
    nfs: { server: '10.0.0.1', path: `/nfs/${NS}-redis` },
  };
  table(judgePvClaimRef, (w) => pvClaimRef.params.parse(w), base, [
    {
      name: 'pre-bound with the taught attributes',
      facts: { pvs: [pv('pv-redis')] },
      expect: 'pass',
      message: 'pv.pass',
    },
    { name: 'no such PV', facts: { pvs: [pv('other')] }, expect: 'fail pv-missing', message: 'pv.missing' },
    {
      name: 'no claimRef',
      facts: { pvs: [pv('pv-redis', { claimRef: null })] },
      expect: 'fail claimref-missing',
    },
    {
      name: 'Terminating',
      facts: { pvs: [pv('pv-redis', { deleting: true })] },
      expect: 'fail pv-terminating',
    },
    {
      name: "claimRef to another namespace's claim, written by the controller: taken",
      facts: {
        pvs: [
          pv('pv-redis', {
            claimRef: { name: 'pvc-redis', namespace: 'other', uid: 'u' },
            phase: 'Bound',
            annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' },
          }),
        ],
      },
      expect: 'fail shared-pv-taken',
    },
    {
      name: 'claimRef in the wrong namespace',
      facts: { pvs: [pv('pv-redis', { claimRef: { name: 'pvc-redis', namespace: 'default' } })] },
      expect: 'fail claimref-namespace-wrong',
    },
    {
      name: 'claimRef to the wrong claim name',
      facts: { pvs: [pv('pv-redis', { claimRef: { name: 'pvc-other', namespace: NS } })] },
      expect: 'fail claimref-name-wrong',
    },
    {
      name: 'capacity not the taught one (quantities compare as quantities)',
      facts: { pvs: [pv('pv-redis', { capacity: '2Gi' })] },
      expect: 'fail pv-attributes-wrong',
      message: 'pv.attributes-wrong',
    },
    { name: '1024Mi is 1Gi', facts: { pvs: [pv('pv-redis', { capacity: '1024Mi' })] }, expect: 'pass' },
  ]);
});

describe('pvc-bound', () => {
  const base = { claim: 'pvc-redis', pv: 'pv-redis' };
  const facts = (
    pvcs: V1PersistentVolumeClaim[],
    pvs: V1PersistentVolume[],
    more: Partial<PvcBoundFacts> = {},
  ): PvcBoundFacts => ({ namespace: NS, pvcs, pvs, ...more });
  const dynamic = { pv: undefined, dynamic: { storageClass: 'nfs-client', provisioner: 'nfs.csi.k8s.io' } };
  const dynPv = (name: string) => ({
    ...boundPv(name),
    metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'nfs.csi.k8s.io' } },
  });
  table(
    judgePvcBound,
    (w) => pvcBound.params.parse(Object.fromEntries(Object.entries(w).filter(([, v]) => v !== undefined))),
    base,
    [
      {
        name: 'Bound, both sides agree',
        facts: facts([pvc('pvc-redis', { phase: 'Bound', volumeName: 'pv-redis' })], [boundPv('pv-redis')]),
        expect: 'pass',
        message: 'pvc.pass',
      },
      { name: 'no such claim', facts: facts([], [boundPv('pv-redis')]), expect: 'fail pvc-missing' },
      {
        name: 'Terminating',
        facts: facts(
          [pvc('pvc-redis', { phase: 'Bound', volumeName: 'pv-redis', deleting: true })],
          [boundPv('pv-redis')],
        ),
        expect: 'fail pvc-terminating',
      },
      {
        name: 'Bound to another PV through a default class',
        facts: facts(
          [pvc('pvc-redis', { phase: 'Bound', volumeName: 'pvc-123', storageClassName: 'nfs-client' })],
          [boundPv('pvc-123')],
        ),
        expect: 'fail pvc-storageclass-missing',
        message: 'pvc.bound-wrong-pv',
      },
      {
        name: "the PV's claimRef names another uid: not yet agreed",
        facts: facts(
          [pvc('pvc-redis', { phase: 'Bound', volumeName: 'pv-redis' })],
          [boundPv('pv-redis', 'old-uid')],
        ),
        expect: 'fail pvc-binding-disagrees (transient)',
      },
      {
        name: 'Pending, the PV missing',
        facts: facts([pvc('pvc-redis')], []),
        expect: 'fail pvc-no-matching-pv',
      },
      {
        name: 'Pending, the PV asks for more than it has',
        facts: facts([pvc('pvc-redis', { request: '2Gi' })], [pv('pv-redis')]),
        expect: 'fail pvc-size-mismatch',
      },
      {
        name: 'Pending, the claim has no storageClassName: "" for a class-less PV',
        facts: facts([pvc('pvc-redis', { storageClassName: null })], [pv('pv-redis')]),
        expect: 'fail pvc-storageclass-missing',
        message: 'pvc.no-storageclass',
      },
      {
        name: 'Pending with no visible cause: give it a moment',
        facts: facts([pvc('pvc-redis')], [pv('pv-redis')]),
        expect: 'fail pvc-pending (transient)',
        message: 'pvc.no-cause',
      },
      {
        name: 'dynamic, Bound to a provisioned PV',
        with: dynamic,
        facts: facts(
          [pvc('pvc-redis', { phase: 'Bound', volumeName: 'pvc-1', storageClassName: 'nfs-client' })],
          [dynPv('pvc-1')],
        ),
        expect: 'pass',
        message: 'pvc.pass-dynamic',
      },
      {
        name: 'dynamic, Pending: the classes are read first',
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], []),
        expect: 'need classes',
      },
      {
        name: 'dynamic, Pending, the class missing',
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], [], { classes: [] }),
        expect: 'fail storageclass-missing',
      },
      {
        name: 'dynamic, Pending, then the Events',
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], [], {
          classes: [sc('nfs-client')],
        }),
        expect: 'need events',
      },
      {
        name: "dynamic, the class's provisioner is not the lab's: the environment",
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], [], {
          classes: [sc('nfs-client', 'other.io')],
          events: [],
        }),
        expect: 'error env-storageclass-provisioner',
      },
      {
        name: 'dynamic, the provisioner never acted',
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], [], {
          classes: [sc('nfs-client')],
          events: [],
        }),
        expect: 'error env-provisioner-not-running (transient)',
      },
      {
        name: 'dynamic, provisioning failed',
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], [], {
          classes: [sc('nfs-client')],
          events: [event('ProvisioningFailed', 'pvc-redis', 'no space')],
        }),
        expect: 'error env-storageclass-provisioner (transient)',
      },
      {
        name: 'dynamic, the Events cannot be read',
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], [], {
          classes: [sc('nfs-client')],
          events: null,
        }),
        expect: 'fail pvc-pending (transient)',
        message: 'pvc.events-unreadable',
      },
      {
        name: 'dynamic, provisioning under way',
        with: dynamic,
        facts: facts([pvc('pvc-redis', { storageClassName: 'nfs-client' })], [], {
          classes: [sc('nfs-client')],
          events: [event('Provisioning')],
        }),
        expect: 'fail pvc-pending (transient)',
        message: 'pvc.provisioning-started',
      },
    ],
  );
});

describe('storageclass', () => {
  const base = { name: 'nfs-client', provisioner: 'nfs.csi.k8s.io', claim: 'pvc-redis' };
  table(judgeStorageClass, (w) => storageClass.params.parse(w), base, [
    {
      name: 'present, and the claims are read next',
      facts: { classes: [sc('nfs-client')] },
      expect: 'need claims',
    },
    {
      name: 'present and used by the claim',
      facts: { classes: [sc('nfs-client')], claims: [pvc('pvc-redis', { storageClassName: 'nfs-client' })] },
      expect: 'pass',
    },
    {
      name: 'no claim yet: nothing to hold against it',
      facts: { classes: [sc('nfs-client')], claims: [] },
      expect: 'pass',
    },
    {
      name: 'the claim asks for another class',
      facts: { classes: [sc('nfs-client')], claims: [pvc('pvc-redis', { storageClassName: 'standard' })] },
      expect: 'fail claim-not-dynamic',
    },
    { name: 'missing', facts: { classes: [sc('standard')] }, expect: 'fail storageclass-missing' },
    {
      name: "another provisioner: the environment's",
      facts: { classes: [sc('nfs-client', 'other.io')] },
      expect: 'error env-storageclass-provisioner',
    },
  ]);
});

describe('object-matches', () => {
  const base = {
    apiVersion: 'v1',
    kind: 'Service',
    name: 'redis-headless',
    match: { spec: { clusterIP: 'None' } },
    hint: 'service-not-headless',
  };
  const svc = (clusterIP: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'redis-headless' },
    spec: { clusterIP },
  });
  table(judgeObjectMatches, (w) => objectMatches.params.parse(w), base, [
    { name: 'matches', facts: { namespace: NS, items: [svc('None')] }, expect: 'pass', message: 'om.pass' },
    {
      name: 'a field differs',
      facts: { namespace: NS, items: [svc('10.0.0.9')] },
      expect: 'fail service-not-headless',
      message: 'om.mismatch',
    },
    {
      name: 'missing',
      facts: { namespace: NS, items: [] },
      expect: 'fail service-not-headless',
      message: 'om.missing',
    },
  ]);
});

describe('statefulset-ready', () => {
  const base = { statefulSet: 'redis', claim: 'pvc-redis', image: 'redis:7.4.4' };
  const facts = (s: V1StatefulSet[], more: Partial<StatefulSetReadyFacts> = {}): StatefulSetReadyFacts => ({
    namespace: NS,
    statefulSets: s,
    ...more,
  });
  const seen = { pods: [pod('redis-0')], claims: [pvc('pvc-redis', { phase: 'Bound' })] };
  table(judgeStatefulSetReady, (w) => statefulSetReady.params.parse(w), base, [
    { name: 'the template is right: the pods are read next', facts: facts([sts()]), expect: 'need pods' },
    { name: 'ready, the claim at /data', facts: facts([sts()], seen), expect: 'pass', message: 'sts.pass' },
    { name: 'missing', facts: facts([]), expect: 'fail statefulset-missing' },
    { name: 'Terminating', facts: facts([sts({ deleting: true })]), expect: 'fail statefulset-terminating' },
    { name: 'scaled to 0', facts: facts([sts({ replicas: 0 })]), expect: 'fail statefulset-scaled-down' },
    {
      name: 'an emptyDir at /data',
      facts: facts([sts({ volumes: [{ name: 'data', emptyDir: {} }] })]),
      expect: 'fail data-volume-emptydir',
    },
    {
      name: '--dir outside the data path',
      facts: facts([sts({ args: ['redis-server', '--dir', '/tmp'] })]),
      expect: 'fail redis-dir-elsewhere',
    },
    {
      name: 'the controller has not seen the latest generation',
      facts: facts([sts({ observed: 0 })]),
      expect: 'fail statefulset-rollout-pending (transient)',
    },
    {
      name: 'pod 0 missing',
      facts: facts([sts()], { ...seen, pods: [] }),
      expect: 'fail pod-not-running (transient)',
      message: 'sts.pod-missing',
    },
    {
      name: 'pod 0 not Ready: what the environment did is read next',
      facts: facts([sts({ ready: 0 })], { ...seen, pods: [pod('redis-0', { ready: false })] }),
      expect: 'need {"fault":"redis-0"}',
    },
    {
      name: 'pod 0 crash-looping (no environment fault)',
      facts: facts([sts({ ready: 0 })], {
        ...seen,
        pods: [pod('redis-0', { ready: false, waiting: 'CrashLoopBackOff', restarts: 3 })],
        faults: { 'redis-0': null },
      }),
      expect: 'fail pod-not-running',
      message: 'pod.crash-loop',
    },
    {
      name: "pod 0 crash-looping on the NFS export's root_squash: the environment",
      facts: facts([sts({ ready: 0 })], {
        ...seen,
        pods: [pod('redis-0', { ready: false })],
        faults: {
          'redis-0': {
            status: 'error',
            message: { $msg: 'env.root-squash', params: { pod: 'redis-0' } },
            hint: 'env-nfs-root-squash',
            evidence: {},
          },
        },
      }),
      expect: 'error env-nfs-root-squash',
    },
    {
      name: "the lab's image cannot be pulled: the environment",
      facts: facts([sts({ ready: 0 })], {
        ...seen,
        pods: [pod('redis-0', { ready: false, phase: 'Pending', waiting: 'ImagePullBackOff' })],
        faults: { 'redis-0': null },
      }),
      expect: 'error env-pod-not-ready (transient)',
    },
    {
      name: 'unschedulable on a claim: whether the provisioner acted is read next',
      facts: facts([sts({ ready: 0 })], {
        ...seen,
        pods: [
          pod('redis-0', {
            ready: false,
            phase: 'Pending',
            unschedulable: 'pod has unbound immediate PersistentVolumeClaims',
          }),
        ],
        faults: { 'redis-0': null },
      }),
      expect: 'need {"idle":"pvc-redis"}',
    },
    {
      name: 'unschedulable, the provisioner never acted: the environment',
      facts: facts([sts({ ready: 0 })], {
        ...seen,
        pods: [
          pod('redis-0', {
            ready: false,
            phase: 'Pending',
            unschedulable: 'pod has unbound immediate PersistentVolumeClaims',
          }),
        ],
        faults: { 'redis-0': null },
        idle: {
          'pvc-redis': {
            $msg: 'pvc.provisioner-never-acted',
            params: { claim: 'pvc-redis', phase: 'Pending', provisioner: 'p', storageClass: 'c' },
          },
        },
      }),
      expect: 'error env-provisioner-not-running (transient)',
    },
    {
      name: 'every pod Ready but the status lags',
      facts: facts([sts({ ready: 0 })], seen),
      expect: 'fail readiness-failing (transient)',
    },
  ]);
});

describe('headless-dns asks a name again when its lookup times out', () => {
  const fqdn = `redis-headless.${NS}.svc.cluster.local`;
  const podName = `redis-0.${fqdn}`;
  /** Runs the check on a fake cluster whose getent of the pod's name times out `timeouts` times. */
  async function run(timeouts: number) {
    const asked: string[] = [];
    const cluster = {
      statefulSets: async () => [sts()],
      services: async () => [headless()],
      pods: async () => [pod('redis-0')],
      exec: async (_ns: string, _pod: string, _c: string, cmd: string[]) => {
        const name = cmd[2] ?? '';
        asked.push(name);
        if (name === podName && timeouts-- > 0)
          throw new DeadlineError(`exec "${cmd.join(' ')}" in ${NS}/redis-0`, 10_000);
        return { kind: 'exited', exitCode: 0, stdout: `10.244.0.5      ${name}\n`, stderr: '' };
      },
    };
    const ctx = {
      namespace: NS,
      cluster,
      signal: new AbortController().signal,
      timeMultiplier: 0.01,
    } as unknown as CheckContext;
    const outcome = await headlessDns.run(
      ctx,
      headlessDns.params.parse({ statefulSet: 'redis', serviceName: 'redis-headless' }),
    );
    return { outcome, asked };
  }

  it('one lost answer: asked again, and the check passes', async () => {
    const { outcome, asked } = await run(1);
    expect(verdict(outcome)).toBe('pass');
    expect(asked).toEqual([fqdn, podName, podName]);
  });

  it('never answered in the window: error (the cluster DNS), after asking more than once', async () => {
    const { outcome, asked } = await run(Infinity);
    expect(verdict(outcome)).toBe('error');
    expect(key(outcome)).toBe('dns.no-answer');
    expect(asked.filter((n) => n === podName).length).toBeGreaterThan(1);
  });
});

describe('headless-dns', () => {
  const base = { statefulSet: 'redis', serviceName: 'redis-headless' };
  const facts = (more: Partial<HeadlessDnsFacts> = {}): HeadlessDnsFacts => ({
    namespace: NS,
    statefulSets: [sts()],
    services: [headless()],
    pods: [pod('redis-0')],
    ...more,
  });
  const fqdn = `redis-headless.${NS}.svc.cluster.local`;
  const answers = (ips: string[]) => ({
    seconds: 30,
    byName: Object.fromEntries([fqdn, `redis-0.${fqdn}`].map((n) => [n, { name: n, ips, output: '' }])),
  });
  const getent = { tool: 'getent' as const, notStarted: {} };
  const noTools = { tool: undefined, notStarted: { getent: 'not found', nslookup: 'not found' } };
  table(judgeHeadlessDns, (w) => headlessDns.params.parse(w), base, [
    { name: 'the structure is right: which tool runs is read next', facts: facts(), expect: 'need tools' },
    { name: 'then the names are asked', facts: facts({ tools: getent }), expect: 'need answers' },
    {
      name: 'every name resolves',
      facts: facts({ tools: getent, answers: answers(['10.244.0.5']) }),
      expect: 'pass',
      message: 'dns.pass',
    },
    {
      name: 'the names do not resolve within the budget',
      facts: facts({ tools: getent, answers: answers([]) }),
      expect: 'fail dns-not-resolving',
      message: 'dns.unresolved',
    },
    {
      name: 'cluster DNS never answered a name within the budget (its lookups timed out): error, not the student',
      facts: facts({
        tools: getent,
        answers: {
          seconds: 30,
          byName: {
            [fqdn]: { name: fqdn, ips: ['10.244.0.5'], output: '' },
            [`redis-0.${fqdn}`]: {
              name: `redis-0.${fqdn}`,
              ips: [],
              output: 'exec did not finish',
              timedOut: true,
            },
          },
        },
      }),
      expect: 'error',
      message: 'dns.no-answer',
    },
    { name: 'StatefulSet missing', facts: facts({ statefulSets: [] }), expect: 'fail statefulset-missing' },
    {
      name: 'no Service by serviceName, another selects the pods',
      facts: facts({ services: [headless({ name: 'redis' })] }),
      expect: 'fail service-name-mismatch',
    },
    {
      name: 'no Service at all',
      facts: facts({ services: [] }),
      expect: 'fail service-missing',
      message: 'dns.no-service',
    },
    {
      name: 'not headless',
      facts: facts({ services: [headless({ clusterIP: '10.96.0.9' })] }),
      expect: 'fail service-not-headless',
    },
    {
      name: 'selects nothing',
      facts: facts({ services: [headless({ selector: { app: 'other' } })] }),
      expect: 'fail service-selects-nothing',
    },
    {
      name: 'no Ready pod to ask from',
      facts: facts({ pods: [pod('redis-0', { ready: false })] }),
      expect: 'skipped',
      message: 'dns.no-ready-pod',
    },
    {
      name: 'no lookup tool: the EndpointSlices are read next',
      facts: facts({ tools: noTools }),
      expect: 'need slices',
    },
    {
      name: 'no tool, the slices name every Ready pod',
      facts: facts({
        tools: noTools,
        slices: [
          {
            metadata: { labels: { 'kubernetes.io/service-name': 'redis-headless' } },
            addressType: 'IPv4',
            endpoints: [{ addresses: ['10.244.0.5'], hostname: 'redis-0' }],
          },
        ],
      }),
      expect: 'pass',
      message: 'dns.weak-pass',
    },
    {
      name: 'no tool, the slices lack a pod',
      facts: facts({ tools: noTools, slices: [] }),
      expect: 'fail dns-not-resolving',
      message: 'dns.weak-missing',
    },
    {
      name: 'no tool, no EndpointSlice API: structure only',
      facts: facts({ tools: noTools, slices: null }),
      expect: 'pass',
      message: 'dns.weak-structure-only',
    },
  ]);
});

describe('redis-persistence', () => {
  const p = {
    statefulSet: 'redis',
    ordinal: 0,
    studentKey: 'testkey',
    recreateSeconds: 180,
    readBackSeconds: 15,
  };
  it('before the delete: skipped unless Ready, the owner read next, fail unless it controls the pod', () => {
    const rows: [Parameters<typeof judgeBeforeDelete>[0], string][] = [
      [{ name: 'redis-0', before: undefined }, 'skipped'],
      [{ name: 'redis-0', before: pod('redis-0', { ready: false }) }, 'skipped'],
      [{ name: 'redis-0', before: pod('redis-0') }, 'need owner'],
      [{ name: 'redis-0', before: pod('redis-0'), owner: sts() }, 'go ahead'],
      [{ name: 'redis-0', before: pod('redis-0', { owner: false }), owner: sts() }, 'fail pod-not-owned'],
      [{ name: 'redis-0', before: pod('redis-0'), owner: null }, 'fail pod-not-owned'],
    ];
    for (const [facts, want] of rows) expect(verdict(judgeBeforeDelete(facts, p))).toBe(want);
  });
  it("the probe's SET and SAVE", () => {
    expect(verdict(judgeWrite('OK'))).toBe('go ahead');
    expect(verdict(judgeWrite('OK', 'OK'))).toBe('go ahead');
    expect(verdict(judgeWrite('READONLY You cannot write against a read only replica.'))).toBe(
      'fail redis-write-failed',
    );
    expect(verdict(judgeWrite('OK', 'ERR'))).toBe('fail redis-save-failed');
  });
  it('no Ready replacement in time: whose doing it is', () => {
    const before = pod('redis-0', { uid: 'old' });
    const base = { name: 'redis-0', before, fault: null, container: 'redis', timeoutMs: 180_000 };
    const rows: [Partial<Parameters<typeof judgeNotRecreated>[0]>, string, string | undefined][] = [
      [{ now: undefined }, 'error pod-not-recreated', undefined],
      [
        { now: { ...before, metadata: { ...before.metadata, deletionTimestamp: new Date() } } },
        'error pod-not-recreated',
        undefined,
      ],
      [
        { now: pod('redis-0', { uid: 'new', ready: false, phase: 'Pending', waiting: 'ImagePullBackOff' }) },
        'error env-pod-not-ready',
        'image-pull',
      ],
      [
        {
          now: pod('redis-0', {
            uid: 'new',
            ready: false,
            phase: 'Pending',
            unschedulable: '0/1 nodes are available: 1 Insufficient cpu.',
          }),
        },
        'error env-pod-not-ready',
        'unschedulable',
      ],
      [{ now: pod('redis-0', { uid: 'new', ready: false }) }, 'fail pod-not-recreated', 'readiness'],
      [
        {
          now: pod('redis-0', { uid: 'new', ready: false }),
          fault: {
            status: 'error',
            message: { $msg: 'env.root-squash', params: { pod: 'redis-0' } },
            hint: 'env-nfs-root-squash',
          },
        },
        'error env-nfs-root-squash',
        undefined,
      ],
    ];
    for (const [facts, want, cause] of rows) {
      const j = judgeNotRecreated({ ...base, now: undefined, ...facts });
      expect(verdict(j.outcome)).toBe(want);
      expect(j.notReady).toBe(cause);
    }
  });
  it('the read-back', () => {
    const base = {
      name: 'redis-0',
      oldUid: 'a',
      newUid: 'b',
      key: 'kubegrade:probe:1',
      value: 'v',
      studentKey: 'testkey',
      studentAfter: '',
    };
    expect(verdict(judgeReadBack({ ...base, got: 'v' }))).toBe('pass');
    expect(key(judgeReadBack({ ...base, got: 'v' }))).toBe('redis.pass');
    expect(verdict(judgeReadBack({ ...base, got: '' }))).toBe('fail data-lost');
  });
  // redis-cli's raw output on a pipe: each reply and a newline, an error reply with two.
  it("what redis-cli printed for SET probe, SAVE, GET the student's key", () => {
    expect(parseWrite('OK\nOK\nHello, Redis!\n')).toEqual({
      set: 'OK',
      save: 'OK',
      studentBefore: 'Hello, Redis!',
    });
    expect(parseWrite('OK\nOK\nline one\nline two\n\n')).toMatchObject({
      studentBefore: 'line one\nline two\n',
    });
    expect(parseWrite('OK\nOK\n\n')).toMatchObject({ studentBefore: '' });
    const denied =
      'ERR Failed opening the temp RDB file temp-7.rdb (in server root dir /data) for saving: Permission denied';
    expect(parseWrite(`OK\n${denied}\n\nHello\n`)).toEqual({ set: 'OK', save: denied });
    expect(parseWrite('LOADING Redis is loading the dataset in memory\n\nLOADING x\n\n')).toEqual({
      set: 'LOADING Redis is loading the dataset in memory',
    });
    // Nothing on stdout: redis-cli's own error on stderr stands in.
    expect(parseWrite('Could not connect to Redis at 127.0.0.1:6379: Connection refused\n')).toEqual({
      set: 'Could not connect to Redis at 127.0.0.1:6379: Connection refused',
    });
  });
  it("what redis-cli printed for GET probe, DEL probe, GET the student's key", () => {
    expect(parseReadBack('v\n1\nHello\n')).toEqual({ got: 'v', deleted: '1', studentAfter: 'Hello' });
    expect(parseReadBack('\n0\n\n')).toEqual({ got: '', deleted: '0', studentAfter: '' });
    expect(parseReadBack('v\n1\na\nb\n')).toMatchObject({ studentAfter: 'a\nb' });
    // After an error reply the rest cannot be told apart: only the first answer is kept.
    expect(parseReadBack('LOADING Redis is loading\n\nLOADING Redis is loading\n\nx\n')).toEqual({
      got: 'LOADING Redis is loading',
    });
  });
  it("an unknown student's key is left out of the message, not reported as not set", () => {
    const base = { name: 'redis-0', oldUid: 'a', newUid: 'b', key: 'k', value: 'v', studentKey: 'testkey' };
    const text = (studentAfter?: string) =>
      JSON.stringify(judgeReadBack({ ...base, got: '', studentAfter }).message);
    expect(text('')).toContain('not-set');
    expect(text(undefined)).not.toContain('redis.student-key');
  });
});

// Generate a class: one namespace per student holding a lab's objects, either complete and
// correct or carrying exactly one chosen mistake, deterministically from a seed. Names follow
// shared/design/labs.md (pv-{ns}-redis-exist-pvc ...), taken from the course chapter.
import { namespaceObject, type ApplyTarget, type Manifest } from './manifests.ts';

/** The labs a class can be generated for. */
export type Lab = 'pv-claimref' | 'redis-exist-pvc' | 'redis-not-exist-pvc';

/** Every mistake a generated student can carry. */
export const MISTAKES = [
  'claimref-wrong-namespace',
  'missing-storageclassname',
  'servicename-mismatch',
  'emptydir-instead-of-claim',
  'readiness-never-passes',
  'no-service',
  'stale-claimref',
  'pv-capacity-mismatch',
  'pv-accessmode-mismatch',
  'service-not-headless',
  'half-done',
] as const;

/** One mistake a student namespace can carry. */
export type Mistake = (typeof MISTAKES)[number];

/** The mistakes that make sense for each lab. */
export const MISTAKES_BY_LAB: Record<Lab, readonly Mistake[]> = {
  'pv-claimref': [
    'claimref-wrong-namespace',
    'missing-storageclassname',
    'stale-claimref',
    'pv-capacity-mismatch',
    'pv-accessmode-mismatch',
  ],
  'redis-exist-pvc': MISTAKES,
  'redis-not-exist-pvc': [
    'servicename-mismatch',
    'emptydir-instead-of-claim',
    'readiness-never-passes',
    'no-service',
    'service-not-headless',
  ],
};

/**
 * Which students get which mistake: a rate (each student independently, mistake drawn from
 * `pool`, default all of the lab's), or an explicit list cycled over the students (null = correct).
 */
export type MistakePlan = { rate: number; pool?: readonly Mistake[] } | readonly (Mistake | null)[];

/** Options of generateClass. */
export interface ClassOptions {
  students: number;
  lab: Lab;
  mistakes?: MistakePlan;
  seed?: number;
  /** Student namespaces are `${prefix}${index}` (zero-padded); default "student-". */
  namespacePrefix?: string;
  /** Explicit namespace names (overrides prefix and count when longer). */
  namespaces?: readonly string[];
  nfsServer?: string;
  image?: string;
}

/** One student's namespace and the objects to apply for it. */
export interface StudentScenario {
  namespace: string;
  mistake: Mistake | null;
  objects: Manifest[];
  /**
   * Objects the student created only after `objects` had taken effect. Order matters for some
   * mistakes: a claim without storageClassName binds to a PV pre-bound to it if that PV already
   * exists (upstream FindMatchingVolume ignores the class for pre-bound PVs); the mistake shows
   * (claim provisioned by the default class, pre-bound PV left Available) when the claim came first.
   */
  after: Manifest[];
}

/** A generated class: cluster-wide objects plus each student's namespace. */
export interface ClassSpec {
  lab: Lab;
  seed: number;
  clusterObjects: Manifest[];
  students: StudentScenario[];
}

/** The chapter's nfs-subdir-external-provisioner StorageClass, marked default so unset classes go to it. */
export function nfsClientStorageClass(): Manifest {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'nfs-client', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'k8s-sigs.io/nfs-subdir-external-provisioner',
    parameters: { archiveOnDelete: 'false' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fakeUid(rand: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

type Ctx = { ns: string; mistake: Mistake | null; nfsServer: string; image: string; rand: () => number };

function staticPvAndClaim(c: Ctx, base: string): Manifest[] {
  const pvName = `pv-${c.ns}-${base}`;
  const pvcName = `pvc-${c.ns}-${base}`;
  const claimRef: Record<string, unknown> = {
    name: pvcName,
    namespace: c.mistake === 'claimref-wrong-namespace' ? 'default' : c.ns,
  };
  if (c.mistake === 'stale-claimref') {
    // What a Retain PV keeps after its claim was deleted: the old claim's uid and resourceVersion.
    Object.assign(claimRef, {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      uid: fakeUid(c.rand),
      resourceVersion: String(1000 + Math.floor(c.rand() * 9000)),
    });
  }
  const pv: Manifest = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName },
    spec: {
      capacity: { storage: c.mistake === 'pv-capacity-mismatch' ? '32Mi' : '64Mi' },
      accessModes: [c.mistake === 'pv-accessmode-mismatch' ? 'ReadWriteOnce' : 'ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      nfs: { path: `/nfs/${c.ns}-${base}`, server: c.nfsServer },
      claimRef,
    },
  };
  const pvcSpec: Record<string, unknown> = {
    accessModes: ['ReadWriteMany'],
    resources: { requests: { storage: '64Mi' } },
  };
  if (c.mistake !== 'missing-storageclassname') pvcSpec.storageClassName = '';
  const pvc: Manifest = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: pvcName, namespace: c.ns },
    spec: pvcSpec,
  };
  return [pv, pvc];
}

function redisStatefulSet(c: Ctx, app: string, volume: { claimName?: string; template?: string }): Manifest {
  const volName = volume.template ?? `volume-${c.ns}-${app}`;
  const container: Record<string, unknown> = {
    name: 'redis',
    image: c.image,
    ports: [{ containerPort: 6379, name: 'redis' }],
    resources: { requests: { memory: '64Mi', cpu: '100m' }, limits: { memory: '128Mi', cpu: '100m' } },
    livenessProbe: {
      tcpSocket: { port: 6379 },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
      successThreshold: 1,
    },
    readinessProbe: {
      // The classic slip: the probe asks a port nothing listens on, so the pod never turns Ready.
      exec: {
        command:
          c.mistake === 'readiness-never-passes'
            ? ['redis-cli', '-p', '6380', 'ping']
            : ['redis-cli', 'ping'],
      },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
      successThreshold: 1,
    },
    volumeMounts: [{ name: volName, mountPath: '/data' }],
  };
  const podSpec: Record<string, unknown> = { containers: [container], restartPolicy: 'Always' };
  const spec: Record<string, unknown> = {
    serviceName: app,
    replicas: 1,
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app, version: '7.4.4' } }, spec: podSpec },
  };
  if (c.mistake === 'emptydir-instead-of-claim') {
    podSpec.volumes = [{ name: volName, emptyDir: {} }];
  } else if (volume.claimName) {
    podSpec.volumes = [{ name: volName, persistentVolumeClaim: { claimName: volume.claimName } }];
  } else {
    spec.volumeClaimTemplates = [
      {
        metadata: { name: volName },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '64Mi' } },
          storageClassName: 'nfs-client',
        },
      },
    ];
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `statefulset-${app}`, namespace: c.ns, labels: { app, version: '7.4.4' } },
    spec,
  };
}

function headlessService(c: Ctx, app: string): Manifest[] {
  if (c.mistake === 'no-service') return [];
  // The chapter's own exercise names the Service differently from the StatefulSet's serviceName.
  const name = c.mistake === 'servicename-mismatch' ? `service-headless-${app}` : app;
  const spec: Record<string, unknown> = {
    selector: { app },
    ports: [{ protocol: 'TCP', port: 6379, targetPort: 6379, name: 'redis' }],
  };
  if (c.mistake !== 'service-not-headless') spec.clusterIP = 'None';
  return [{ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: c.ns }, spec }];
}

/** The objects of one student's namespace for a lab, correct or with one mistake, and those created later. */
export function studentObjects(lab: Lab, c: Ctx): { objects: Manifest[]; after: Manifest[] } {
  const objects = labObjects(lab, c);
  if (c.mistake !== 'missing-storageclassname') return { objects, after: [] };
  return {
    objects: objects.filter((o) => o.kind !== 'PersistentVolume'),
    after: objects.filter((o) => o.kind === 'PersistentVolume'),
  };
}

function labObjects(lab: Lab, c: Ctx): Manifest[] {
  const objects: Manifest[] = [namespaceObject(c.ns)];
  if (lab === 'pv-claimref') return [...objects, ...staticPvAndClaim(c, 'redis')];
  if (lab === 'redis-exist-pvc') {
    objects.push(...staticPvAndClaim(c, 'redis-exist-pvc'));
    if (c.mistake === 'half-done') return objects;
    objects.push(
      redisStatefulSet(c, 'redis-exist-pvc', { claimName: `pvc-${c.ns}-redis-exist-pvc` }),
      ...headlessService(c, 'redis-exist-pvc'),
    );
    return objects;
  }
  objects.push(
    redisStatefulSet(c, 'redis-not-exist-pvc', { template: `pvc-${c.ns}` }),
    ...headlessService(c, 'redis-not-exist-pvc'),
  );
  return objects;
}

/** Raised for a class specification that cannot be generated. */
export class ClassSpecError extends Error {
  override readonly name = 'ClassSpecError';
}

/** Generate a class deterministically from the options' seed. */
export function generateClass(opts: ClassOptions): ClassSpec {
  const seed = opts.seed ?? 1;
  const rand = mulberry32(seed);
  const allowed = MISTAKES_BY_LAB[opts.lab];
  const plan: MistakePlan = opts.mistakes ?? { rate: 0 };
  if (!('rate' in plan)) {
    for (const m of plan)
      if (m !== null && !allowed.includes(m))
        throw new ClassSpecError(
          `mistake "${m}" does not apply to lab ${opts.lab}; choose from: ${allowed.join(', ')}`,
        );
  } else {
    for (const m of plan.pool ?? [])
      if (!allowed.includes(m))
        throw new ClassSpecError(
          `mistake "${m}" does not apply to lab ${opts.lab}; choose from: ${allowed.join(', ')}`,
        );
    if (plan.rate < 0 || plan.rate > 1)
      throw new ClassSpecError(`mistake rate must be between 0 and 1, got ${plan.rate}`);
  }
  const count = Math.max(opts.students, opts.namespaces?.length ?? 0);
  const width = Math.max(3, String(count).length);
  const students: StudentScenario[] = [];
  for (let i = 0; i < count; i++) {
    const ns =
      opts.namespaces?.[i] ?? `${opts.namespacePrefix ?? 'student-'}${String(i + 1).padStart(width, '0')}`;
    let mistake: Mistake | null = null;
    if ('rate' in plan) {
      const pool = plan.pool ?? allowed;
      if (rand() < plan.rate && pool.length > 0) mistake = pool[Math.floor(rand() * pool.length)] ?? null;
    } else if (plan.length > 0) {
      mistake = plan[i % plan.length] ?? null;
    }
    const ctx: Ctx = {
      ns,
      mistake,
      nfsServer: opts.nfsServer ?? '192.168.110.168',
      image: opts.image ?? 'redis:7.4.4',
      rand,
    };
    students.push({ namespace: ns, mistake, ...studentObjects(opts.lab, ctx) });
  }
  return { lab: opts.lab, seed, clusterObjects: [nfsClientStorageClass()], students };
}

/**
 * Apply a generated class to kube-sim: cluster objects and every student's objects in one batch
 * (each student's in the order a student would create them), then, once the controllers have
 * acted on those, the objects students created later.
 */
export async function loadClass(sim: ApplyTarget, spec: ClassSpec): Promise<void> {
  await sim.apply([...spec.clusterObjects, ...spec.students.flatMap((s) => s.objects)]);
  const later = spec.students.flatMap((s) => s.after);
  if (later.length === 0) return;
  // Pass the KubeSim itself so this wait is exact; a bare apply function gets a fixed pause.
  if (sim.settle) await sim.settle();
  else await new Promise((r) => setTimeout(r, 500));
  await sim.apply(later);
}

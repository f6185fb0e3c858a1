// kube-sim: a simulated Kubernetes API server with the controllers the storage/StatefulSet labs
// depend on, for tests, benchmarks and the demo. Real kubectl and @kubernetes/client-node use it
// unmodified over HTTP.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseAllDocuments } from 'yaml';
import { Api } from './api.ts';
import { ControllerManager } from './controllers/index.ts';
import { NODE_IP, NODE_NAME } from './controllers/pods.ts';
import { ApiError } from './errors.ts';
import { handleExecUpgrade } from './exec-ws.ts';
import { Faults } from './faults.ts';
import { threeWayPatch } from './patch.ts';
import { buildKubeconfig } from './kubeconfig.ts';
import { NullRuntime } from './null-runtime.ts';
import { timestamp } from './object.ts';
import { findResource, resourceForKind } from './resources.ts';
import type { ClusterView, KubeObject, PodRuntime } from './runtime-contract.ts';
import { SimServer, type ExecUpgradeHandler, type RequestRecord } from './server.ts';
import { Store } from './store.ts';

export type {
  ClusterView,
  KubeObject,
  PodRuntime,
  ExecIO,
  ExecOutcome,
  VolumeBacking,
} from './runtime-contract.ts';
export { Faults, type FaultSettings, type FailRule } from './faults.ts';
export { NullRuntime } from './null-runtime.ts';
export { ApiError } from './errors.ts';
export type { ExecUpgradeHandler, RequestRecord } from './server.ts';
export { handleExecUpgrade, EXEC_SUBPROTOCOLS, exitStatus, type ExecUpgradeContext } from './exec-ws.ts';
export {
  createPodRuntime,
  orphanGuard,
  RedisStartError,
  type PodRuntimeOptions,
  type SimPodRuntime,
  type RedisContainerInfo,
} from './runtime/index.ts';
export { podIsReady } from './runtime/pod-spec.ts';
export { findRedisServer } from './runtime/index.ts';
export * from './scenarios/index.ts';

/** The provisioner of the chapter's nfs-client StorageClass. */
export const NFS_SUBDIR_PROVISIONER = 'k8s-sigs.io/nfs-subdir-external-provisioner';

/** Options of startKubeSim. */
export interface KubeSimOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Delay between a pod Running and its first readiness probe (ms, default 200). */
  podReadyDelayMs?: number;
  /**
   * Back-off after a container fails to start, as the kubelet's CrashLoopBackOff: this long after
   * the first failure (ms, default 10000), doubling per consecutive failure up to
   * crashLoopBackOffMaxMs (default 300000). Tests may pass a smaller base.
   */
  crashLoopBackOffMs?: number;
  crashLoopBackOffMaxMs?: number;
  /** What runs inside pods; default: NullRuntime (always ready, exec refused as not found). */
  runtime?: PodRuntime;
  /** Provisioners the simulated cluster serves (default: nfs-subdir-external-provisioner). */
  provisioners?: string[];
  /** Where volume directories live (a temporary directory by default, removed on stop). */
  dataDir?: string;
  /** NFS server and export the dynamic provisioner writes into PVs (default 192.168.110.168:/nfs). */
  nfsServer?: string;
  nfsPath?: string;
  /** Create the course's `nfs-client` StorageClass at start and after reset (default true). */
  nfsClientStorageClass?: boolean;
  /** Exec upgrade handler (default: the WebSocket exec of exec-ws.ts). */
  execHandler?: ExecUpgradeHandler;
  /** How many recent changes a watch can resume from before it gets 410 Expired (default 50000). */
  watchWindow?: number;
  /** Print controller errors (default: only when KUBE_SIM_DEBUG is set). */
  log?: (msg: string) => void;
  /** Told of every resource request in RBAC terms (verb, group, resource, subresource, namespace). */
  onRequest?: (r: RequestRecord) => void;
}

/** An object to apply: a manifest as written (no uid or resourceVersion needed). */
export type ApplyObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
};

/** Options of sim.apply. */
export interface ApplyOptions {
  /** Namespace for objects that name none (default "default"). */
  namespace?: string;
}

/** A running kube-sim. */
export interface KubeSim {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** A kubeconfig kubectl and @kubernetes/client-node accept. */
  readonly kubeconfigYaml: string;
  /** The bearer token in the kubeconfig. */
  readonly token: string;
  /** Write the kubeconfig to a file. */
  writeKubeconfig(file: string): Promise<void>;
  /** Read access to cluster state. */
  readonly view: ClusterView;
  /** Create-or-update objects like `kubectl apply`; creates missing namespaces. Returns the stored objects. */
  apply(objects: ApplyObject | ApplyObject[] | string, opts?: ApplyOptions): Promise<KubeObject[]>;
  /** Fault injection. */
  readonly faults: Faults;
  /** API requests served since start or the last reset to 0. */
  requestCount: number;
  /** Where volume directories live. */
  readonly dataDir: string;
  /** Resolve once controllers have nothing queued (timers such as readiness delays excluded). */
  settle(): Promise<void>;
  /** Drop every object (stopping pods) but keep the server; bootstrap objects come back. */
  reset(): Promise<void>;
  /** Stop server, controllers and runtime. */
  stop(): Promise<void>;
}

const NAMESPACES = findResource('namespaces')!;

/** Start a kube-sim on 127.0.0.1. */
export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const store = new Store(options.watchWindow);
  const api = new Api(store);
  const faults = new Faults();
  const runtime = options.runtime ?? new NullRuntime();
  const token = randomBytes(24).toString('hex');
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kube-sim-')));
  if (!existsSync(dataDir)) await mkdir(dataDir, { recursive: true });
  const log =
    options.log ??
    (process.env.KUBE_SIM_DEBUG ? (m: string) => process.stderr.write(`[kube-sim] ${m}\n`) : () => {});

  const execHandler = options.execHandler ?? handleExecUpgrade;
  const server = new SimServer({ api, faults, runtime, token, execHandler, onRequest: options.onRequest });
  const controllers = new ControllerManager({
    api,
    runtime,
    faults,
    podReadyDelayMs: options.podReadyDelayMs ?? 200,
    crashLoopBackOffMs: options.crashLoopBackOffMs ?? 10_000,
    crashLoopBackOffMaxMs: options.crashLoopBackOffMaxMs ?? 300_000,
    provisioners: options.provisioners ?? [NFS_SUBDIR_PROVISIONER],
    nfsServer: options.nfsServer ?? '192.168.110.168',
    nfsPath: options.nfsPath ?? '/nfs',
    log,
  });
  const bootstrap = () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      api.create(NAMESPACES, undefined, { metadata: { name: ns } });
    }
    api.create(findResource('services')!, 'default', {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        clusterIP: '10.96.0.1',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    });
    const node = api.create(findResource('nodes')!, undefined, {
      metadata: {
        name: NODE_NAME,
        labels: {
          'kubernetes.io/hostname': NODE_NAME,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node-role.kubernetes.io/control-plane': '',
        },
      },
      spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'] },
    });
    api.update(
      findResource('nodes')!,
      undefined,
      node.metadata.name,
      { ...node, status: nodeStatus() },
      { subresource: 'status' },
    );
    if (options.nfsClientStorageClass !== false) {
      api.create(findResource('storageclasses')!, undefined, {
        metadata: { name: 'nfs-client' },
        provisioner: NFS_SUBDIR_PROVISIONER,
        parameters: { archiveOnDelete: 'false' },
      });
    }
  };
  controllers.start();
  bootstrap();

  await new Promise<void>((resolve, reject) => {
    server.http.once('error', reject);
    server.http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigYaml = buildKubeconfig(url, token);

  const view: ClusterView = {
    get(resource, namespace, name) {
      const res = findResource(resource);
      if (!res) return undefined;
      const o = store.get(res, namespace, name);
      return o ? structuredClone(o) : undefined;
    },
    list(resource, namespace) {
      const res = findResource(resource);
      if (!res) return [];
      return structuredClone(store.list(res, namespace));
    },
  };

  // A runtime that reads cluster state (DNS answers, which PV backs a volume) gets this sim's view.
  (runtime as { attachView?: (v: ClusterView) => void }).attachView?.(view);

  let stopped = false;
  const sim: KubeSim = {
    url,
    kubeconfigYaml,
    token,
    dataDir,
    view,
    faults,
    get requestCount() {
      return server.requestCount;
    },
    set requestCount(n: number) {
      server.requestCount = n;
    },
    async writeKubeconfig(file: string) {
      await writeFile(file, kubeconfigYaml, { mode: 0o600 });
    },
    async apply(objects, opts = {}) {
      return applyObjects(api, objects, opts);
    },
    settle: () => controllers.settle(),
    async reset() {
      server.closeWatches();
      controllers.clear();
      const pods = store.list(findResource('pods')!);
      await Promise.allSettled(pods.map((p) => runtime.stop(p, 0)));
      store.clear();
      api.resetAllocations();
      controllers.clear();
      faults.clear();
      bootstrap();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeWatches();
      await controllers.stop();
      await new Promise<void>((resolve) => {
        server.http.close(() => resolve());
        server.http.closeAllConnections();
      });
      await runtime.close();
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return sim;
}

/** The one simulated node's status: Ready, its address and versions. */
function nodeStatus(): Record<string, unknown> {
  const now = timestamp();
  return {
    capacity: { cpu: '2', memory: '4Gi', pods: '1100', 'ephemeral-storage': '50Gi' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '1100', 'ephemeral-storage': '50Gi' },
    conditions: [
      {
        type: 'MemoryPressure',
        status: 'False',
        reason: 'KubeletHasSufficientMemory',
        message: 'kubelet has sufficient memory available',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
      {
        type: 'DiskPressure',
        status: 'False',
        reason: 'KubeletHasNoDiskPressure',
        message: 'kubelet has no disk pressure',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
      {
        type: 'PIDPressure',
        status: 'False',
        reason: 'KubeletHasSufficientPID',
        message: 'kubelet has sufficient PID available',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ],
    addresses: [
      { type: 'InternalIP', address: NODE_IP },
      { type: 'Hostname', address: NODE_NAME },
    ],
    nodeInfo: {
      machineID: '0'.repeat(32),
      systemUUID: '00000000-0000-0000-0000-000000000000',
      bootID: '00000000-0000-0000-0000-000000000000',
      kernelVersion: '6.1.0-kube-sim',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.7.27',
      kubeletVersion: 'v1.32.4',
      kubeProxyVersion: 'v1.32.4',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** Parse YAML (multi-document) or take objects, then create-or-update each. */
async function applyObjects(
  api: Api,
  input: ApplyObject | ApplyObject[] | string,
  opts: ApplyOptions,
): Promise<KubeObject[]> {
  let objects: ApplyObject[];
  if (typeof input === 'string') {
    objects = [];
    for (const doc of parseAllDocuments(input)) {
      if (doc.errors.length) throw new Error(`kube-sim apply: invalid YAML: ${doc.errors[0]!.message}`);
      const v = doc.toJS() as unknown;
      if (v === null || v === undefined) continue;
      if (
        typeof v === 'object' &&
        (v as ApplyObject).kind === 'List' &&
        Array.isArray((v as { items?: unknown }).items)
      ) {
        objects.push(...(v as { items: ApplyObject[] }).items);
      } else objects.push(v as ApplyObject);
    }
  } else objects = Array.isArray(input) ? input : [input];

  const out: KubeObject[] = [];
  for (const raw of objects) {
    const res = resourceForKind(String(raw.apiVersion ?? ''), String(raw.kind ?? ''));
    if (!res)
      throw new Error(
        `kube-sim apply: no resource for apiVersion ${String(raw.apiVersion)} kind ${String(raw.kind)}`,
      );
    const obj = structuredClone(raw) as unknown as KubeObject;
    obj.metadata = { ...(obj.metadata ?? {}) } as KubeObject['metadata'];
    const namespace = res.namespaced ? (obj.metadata.namespace ?? opts.namespace ?? 'default') : undefined;
    if (namespace && !api.store.get(NAMESPACES, undefined, namespace)) {
      api.create(NAMESPACES, undefined, { metadata: { name: namespace } });
    }
    if (namespace) obj.metadata.namespace = namespace;
    const lastApplied = JSON.stringify(raw);
    obj.metadata.annotations = {
      ...(obj.metadata.annotations ?? {}),
      'kubectl.kubernetes.io/last-applied-configuration': lastApplied + '\n',
    };
    const existing = api.store.get(res, namespace, obj.metadata.name);
    try {
      if (!existing) out.push(api.create(res, namespace, obj));
      else {
        const previous = existing.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
        let before: unknown;
        try {
          before = previous ? JSON.parse(previous) : undefined;
        } catch {
          before = undefined;
        }
        out.push(
          api.patch(res, namespace, obj.metadata.name, 'strategic', threeWayPatch(res.kind, before, obj)),
        );
      }
    } catch (err) {
      if (err instanceof ApiError)
        throw new Error(`kube-sim apply ${res.plural}/${obj.metadata.name}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  return out;
}

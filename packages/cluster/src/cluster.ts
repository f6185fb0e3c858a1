// A real single-node Kubernetes cluster on this machine: etcd (Debian), kube-apiserver,
// kube-controller-manager, kube-scheduler and kubelet (built from k8s.io/kubernetes), containerd +
// runc (Debian), the CNI bridge, CoreDNS and an NFS provisioner as host processes.
//
// Network safety: pods live on a bridge of their own (POD_CIDR) and reach only that bridge and this
// host's local addresses. Nothing is masqueraded, a FORWARD rule drops everything that would leave
// the bridge, and blackhole routes cover the service range and the labs' NFS server address. NFS
// volumes are bind mounts of local directories (the kubelet's mounter is a wrapper script).
//
// `startCluster()` records the host first (host.ts) and `stopCluster()` puts it back: processes,
// mounts, netns, links, routes, iptables, sysctls, cgroups and paths the components create.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { ensureBinaries, type Binaries } from './build.ts';
import { restoreHost, snapshotHost, type HostSnapshot } from './host.ts';
import { ensureImages, importImages } from './images.ts';
import { createPki, kubeconfigYaml, type Pki } from './pki.ts';
import { onPath, run, runQuiet, sleep, waitFor } from './run.ts';

export const NODE_NAME = 'kubegrade-node';
export const BRIDGE = 'kgbr0';
/**
 * The bridge's own MAC address (locally administered), set when it is created. Left unset, Linux
 * gives a bridge the lowest MAC of its ports and changes it whenever a pod's veth comes or goes;
 * once the port that lent it is gone, every running pod's ARP entry for its gateway names a MAC
 * nobody answers to, and its packets (DNS queries above all) are lost until the entry expires,
 * several seconds later: the cause of headless-dns errors in CI when other pods were re-created.
 */
export const BRIDGE_MAC = '02:6b:67:00:00:01';
export const POD_CIDR = '10.244.0.0/24';
export const NODE_IP = '10.244.0.1';
export const SERVICE_CIDR = '10.96.0.0/16';
export const DNS_IP = '10.96.0.10';
/** The labs' NFS server (shared/design/labs.md): never reachable from here, its exports are local directories. */
export const NFS_SERVER = '192.168.110.168';
const PORTS = {
  etcdClient: 12379,
  etcdPeer: 12380,
  apiserver: 16443,
  controllerManager: 10257,
  scheduler: 10259,
  kubelet: 10250,
  kubeletHealthz: 10248,
};
const FIREWALL_COMMENT = 'kubegrade-cluster: pods never leave the bridge';

/** Where the cluster keeps its state (certificates, etcd, containerd, kubelet, volumes, logs). */
export const defaultDir = () => process.env.KUBEGRADE_CLUSTER_DIR ?? '/var/lib/kubegrade-cluster';
/** Where built binaries and images are cached between runs (outside the repository). */
export const defaultCacheDir = () => process.env.KUBEGRADE_CLUSTER_CACHE ?? '/var/cache/kubegrade-cluster';

/** Options of startCluster. */
export interface ClusterOptions {
  dir?: string;
  cacheDir?: string;
  log?: (line: string) => void;
}

/** A running cluster. */
export interface Cluster {
  /** An admin kubeconfig (system:masters). */
  kubeconfig: string;
  server: string;
  caFile: string;
  dir: string;
  binaries: Binaries;
  /** Runs the cluster's own kubectl with the admin kubeconfig; resolves with stdout. */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Stops everything and restores the host; resolves with what could not be restored (empty when clean). */
  stop(): Promise<string[]>;
}

interface Proc {
  name: string;
  pid: number;
  start: string;
}
interface State {
  procs: Proc[];
  containerdSocket: string;
  criClean: string;
}

const stateFile = (dir: string) => join(dir, 'state.json');
const snapshotFile = (dir: string) => `${dir}.host-before.json`;

function procStart(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
  } catch {
    return undefined;
  }
}
const alive = (p: Proc) => procStart(p.pid) === p.start;

/** Installs (as root, with apt-get) the Debian packages the cluster and its images need, when missing. */
export function requireTools(): void {
  const need: [string, string][] = [
    ['containerd', 'containerd'],
    ['runc', 'runc'],
    ['etcd', 'etcd-server'],
    ['openssl', 'openssl'],
    ['iptables', 'iptables'],
    ['nft', 'nftables'],
    ['ip', 'iproute2'],
    ['umoci', 'umoci'],
    ['skopeo', 'skopeo'],
    ['debootstrap', 'debootstrap'],
  ];
  const missing = need.filter(([cmd]) => !onPath(cmd)).map(([, pkg]) => pkg);
  if (!existsSync('/usr/lib/cni/bridge')) missing.push('containernetworking-plugins');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error(`missing Debian packages: ${missing.join(' ')} (install them as root)`);
  runQuiet('apt-get', ['update', '-qq']);
  const r = runQuiet('apt-get', ['install', '-y', '-qq', ...missing]);
  if (!r.ok) throw new Error(`apt-get install ${missing.join(' ')} failed: ${r.output.slice(-1000)}`);
}

function httpsGet(url: string, pki: Pki): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(pki.ca.cert),
        cert: readFileSync(pki.clients.admin.cert),
        key: readFileSync(pki.clients.admin.key),
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The last lines of a component's log, for error messages. */
function logTail(dir: string, name: string, n = 25): string {
  try {
    return readFileSync(join(dir, 'logs', `${name}.log`), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-n)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts the cluster (building or reusing binaries and images) and resolves once the node is Ready
 * and cluster DNS answers. A cluster left behind by a killed run is torn down first. On any failure
 * everything started so far is stopped and the host restored before the error is thrown.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const dir = opts.dir ?? defaultDir();
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const log = opts.log ?? (() => {});
  if (process.getuid?.() !== 0)
    throw new Error('the real cluster needs root (containerd, the kubelet, iptables and mounts)');
  if (existsSync(stateFile(dir)) || existsSync(snapshotFile(dir))) {
    log('a previous cluster was not stopped: stopping it first');
    const left = await stopCluster(dir);
    if (left.length) log(`left over from the previous cluster: ${left.join('; ')}`);
  }
  requireTools();
  const binaries = await ensureBinaries({ cacheDir, log });
  const images = await ensureImages({ cacheDir, log, pauseBinary: binaries.pause });

  const before: HostSnapshot = snapshotHost();
  writeFileSync(snapshotFile(dir), JSON.stringify(before));
  rmSync(dir, { recursive: true, force: true });
  for (const d of [
    'logs',
    'etcd',
    'containerd',
    'kubelet',
    'pod-logs',
    'cni/net.d',
    'cni/ipam',
    'nfs',
    'bin',
  ])
    mkdirSync(join(dir, d), { recursive: true });
  const state: State = {
    procs: [],
    containerdSocket: join(dir, 'containerd', 'containerd.sock'),
    criClean: binaries['cri-clean'],
  };
  const save = () => writeFileSync(stateFile(dir), JSON.stringify(state));
  save();
  const exited = new Map<string, number | null>();
  const daemon = (name: string, bin: string, args: string[]) => {
    const out = openSync(join(dir, 'logs', `${name}.log`), 'a');
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', out, out], cwd: dir });
    closeSync(out);
    child.on('exit', (code) => exited.set(name, code));
    child.unref();
    const pid = child.pid as number;
    state.procs.push({ name, pid, start: procStart(pid) ?? '' });
    save();
  };
  // A wait that fails at once (with the component's log) when the component died.
  const waitUp = <T>(name: string, what: string, probe: () => Promise<T | undefined>, ms: number) =>
    waitFor(
      what,
      async () => {
        if (exited.has(name)) throw new Error(`${name} exited (${exited.get(name)}):\n${logTail(dir, name)}`);
        return probe();
      },
      ms,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- ${name} log ---\n${logTail(dir, name)}`);
    });

  try {
    // 1. Network safety before anything can send a packet.
    const must = (args: string[], cmd = 'ip') => {
      const r = runQuiet(cmd, args);
      if (!r.ok) throw new Error(`${cmd} ${args.join(' ')}: ${r.output}`);
    };
    must(['route', 'add', 'blackhole', SERVICE_CIDR]);
    must(['route', 'add', 'blackhole', `${NFS_SERVER}/32`]);
    must(['addr', 'add', `${DNS_IP}/32`, 'dev', 'lo']);
    must(['link', 'add', BRIDGE, 'address', BRIDGE_MAC, 'type', 'bridge']);
    must(['addr', 'add', `${NODE_IP}/24`, 'dev', BRIDGE]);
    must(['link', 'set', BRIDGE, 'up']);
    // Drop whatever enters the bridge from elsewhere and whatever leaves it for elsewhere.
    for (const cmd of ['iptables', 'ip6tables']) {
      for (const [from, to] of [
        ['-i', '-o'],
        ['-o', '-i'],
      ] as const) {
        must(
          [
            '-I',
            'FORWARD',
            '1',
            from,
            BRIDGE,
            '!',
            to,
            BRIDGE,
            '-m',
            'comment',
            '--comment',
            FIREWALL_COMMENT,
            '-j',
            'DROP',
          ],
          cmd,
        );
      }
    }

    // 2. Certificates and kubeconfigs.
    const server = `https://127.0.0.1:${PORTS.apiserver}`;
    const pki = await createPki(join(dir, 'pki'), {
      node: NODE_NAME,
      nodeIp: NODE_IP,
      apiserverIps: ['127.0.0.1', NODE_IP, '10.96.0.1'],
    });
    const kc = (name: keyof Pki['clients']) => {
      const file = join(dir, `${name}.kubeconfig`);
      writeFileSync(file, kubeconfigYaml(server, pki.ca.cert, pki.clients[name], name), { mode: 0o600 });
      return file;
    };
    const kubeconfig = kc('admin');

    // 3. etcd, then the control plane.
    daemon('etcd', 'etcd', [
      '--name=kubegrade',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
      `--initial-cluster=kubegrade=http://127.0.0.1:${PORTS.etcdPeer}`,
      '--listen-metrics-urls=',
      '--log-level=warn',
    ]);
    await waitUp(
      'etcd',
      'etcd health',
      async () => {
        const r = await fetch(`http://127.0.0.1:${PORTS.etcdClient}/health`);
        return (await r.text()).includes('true') ? true : undefined;
      },
      30_000,
    );
    daemon('kube-apiserver', binaries['kube-apiserver'], [
      `--etcd-servers=http://127.0.0.1:${PORTS.etcdClient}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${PORTS.apiserver}`,
      `--advertise-address=${NODE_IP}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--tls-cert-file=${pki.apiserver.cert}`,
      `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--kubelet-client-certificate=${pki.apiserverKubeletClient.cert}`,
      `--kubelet-client-key=${pki.apiserverKubeletClient.key}`,
      `--kubelet-certificate-authority=${pki.ca.cert}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
    ]);
    await waitUp(
      'kube-apiserver',
      'the apiserver to be ready',
      async () => ((await httpsGet(`${server}/readyz`, pki)).status === 200 ? true : undefined),
      90_000,
    );
    const controllerManagerKc = kc('controllerManager');
    daemon('kube-controller-manager', binaries['kube-controller-manager'], [
      `--kubeconfig=${controllerManagerKc}`,
      `--authentication-kubeconfig=${controllerManagerKc}`,
      `--authorization-kubeconfig=${controllerManagerKc}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${PORTS.controllerManager}`,
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.ca.cert}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--use-service-account-credentials=true',
      '--leader-elect=false',
      '--profiling=false',
      '--v=1',
    ]);
    const schedulerKc = kc('scheduler');
    daemon('kube-scheduler', binaries['kube-scheduler'], [
      `--kubeconfig=${schedulerKc}`,
      `--authentication-kubeconfig=${schedulerKc}`,
      `--authorization-kubeconfig=${schedulerKc}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${PORTS.scheduler}`,
      '--leader-elect=false',
      '--profiling=false',
    ]);

    // 4. containerd with the CNI bridge, and the images.
    const cniConf = {
      cniVersion: '1.0.0',
      name: 'kubegrade',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: POD_CIDR, gateway: NODE_IP }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: join(dir, 'cni', 'ipam'),
          },
        },
      ],
    };
    writeFileSync(join(dir, 'cni', 'net.d', '10-kubegrade.conflist'), JSON.stringify(cniConf, null, 2));
    const ctr = join(dir, 'containerd');
    writeFileSync(
      join(ctr, 'config.toml'),
      `version = 2
root = "${ctr}/root"
state = "${ctr}/state"
[grpc]
  address = "${state.containerdSocket}"
[ttrpc]
  address = ""
[debug]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${ctr}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${ctr}/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/cni/net.d"
`,
    );
    daemon('containerd', 'containerd', ['--config', join(ctr, 'config.toml'), '--log-level', 'warn']);
    await waitUp(
      'containerd',
      'the containerd socket',
      async () => (existsSync(state.containerdSocket) ? true : undefined),
      30_000,
    );
    await importImages({ ctr: 'ctr', address: state.containerdSocket, archives: images });

    // 5. The kubelet, whose mounter turns an NFS mount into a bind mount of a local directory.
    const nfsRoot = join(dir, 'nfs');
    const mounter = join(dir, 'bin', 'mount');
    cpSync(join(import.meta.dirname, '..', 'assets', 'mount.sh'), mounter);
    chmodSync(mounter, 0o755);
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, '');
    const kubeletConfig = join(dir, 'kubelet-config.yaml');
    writeFileSync(
      kubeletConfig,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
port: ${PORTS.kubelet}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${PORTS.kubeletHealthz}
tlsCertFile: ${pki.kubeletServing.cert}
tlsPrivateKeyFile: ${pki.kubeletServing.key}
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${pki.ca.cert}}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://${state.containerdSocket}
clusterDNS: [${DNS_IP}]
clusterDomain: cluster.local
resolvConf: ${resolvConf}
podLogsDir: ${join(dir, 'pod-logs')}
failSwapOn: false
failCgroupV1: false
protectKernelDefaults: false
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
rotateCertificates: false
serverTLSBootstrap: false
maxPods: 110
`,
    );
    daemon('kubelet', binaries.kubelet, [
      `--config=${kubeletConfig}`,
      `--kubeconfig=${kc('kubelet')}`,
      `--root-dir=${join(dir, 'kubelet')}`,
      `--node-ip=${NODE_IP}`,
      `--hostname-override=${NODE_NAME}`,
      `--experimental-mounter-path=${mounter}`,
      '--v=1',
    ]);
    const kubectl = (args: string[], o: { input?: string; timeoutMs?: number } = {}) =>
      run(binaries.kubectl, ['--kubeconfig', kubeconfig, ...args], o);
    await waitUp(
      'kubelet',
      `node ${NODE_NAME} to be Ready`,
      async () => {
        const r = await httpsGet(`${server}/api/v1/nodes/${NODE_NAME}`, pki);
        if (r.status !== 200) return undefined;
        const node = JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } };
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          ? true
          : undefined;
      },
      120_000,
    );

    // 6. CoreDNS (cluster zone only: no forwarding, so no query leaves this machine) and the NFS provisioner.
    writeFileSync(
      join(dir, 'Corefile'),
      `cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
  bind ${DNS_IP}
  errors
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig ${kc('coredns')}
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
  }
  cache 30
  loop
}
`,
    );
    await kubectl(['apply', '-f', '-'], { input: CLUSTER_RBAC });
    daemon('coredns', binaries.coredns, ['-conf', join(dir, 'Corefile')]);
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([DNS_IP]);
    await waitUp(
      'coredns',
      'cluster DNS to answer kubernetes.default.svc.cluster.local',
      async () =>
        (await resolver.resolve4('kubernetes.default.svc.cluster.local')).length ? true : undefined,
      60_000,
    );
    daemon('nfs-provisioner', binaries['nfs-provisioner'], [
      `--kubeconfig=${kc('provisioner')}`,
      `--root=${join(nfsRoot, NFS_SERVER, 'nfs')}`,
      `--server=${NFS_SERVER}`,
      '--path=/nfs',
    ]);
    await kubectl(['apply', '-f', '-'], { input: NFS_CLIENT_STORAGECLASS });

    log(`cluster ready: ${(await kubectl(['get', 'nodes', '--no-headers'])).trim()}`);
    return { kubeconfig, server, caFile: pki.ca.cert, dir, binaries, kubectl, stop: () => stopCluster(dir) };
  } catch (e) {
    const left = await stopCluster(dir);
    if (left.length) (e as Error).message += `\nleft over after stopping: ${left.join('; ')}`;
    throw e;
  }
}

/** Grants of the host-process components that have no built-in role (CoreDNS, the provisioner). */
const CLUSTER_RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubegrade-coredns}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubegrade-coredns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubegrade-coredns}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kubegrade-coredns}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubegrade-nfs-provisioner}
rules:
- apiGroups: [""]
  resources: [persistentvolumes]
  verbs: [get, list, watch, create, delete]
- apiGroups: [""]
  resources: [persistentvolumeclaims]
  verbs: [get, list, watch, update]
- apiGroups: [storage.k8s.io]
  resources: [storageclasses]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubegrade-nfs-provisioner}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubegrade-nfs-provisioner}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kubegrade-nfs-provisioner}]
`;

/** The course environment's StorageClass, as kube-sim creates it (default class, nfs-subdir provisioner). */
const NFS_CLIENT_STORAGECLASS = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: nfs-client
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: k8s-sigs.io/nfs-subdir-external-provisioner
parameters: {archiveOnDelete: "false"}
reclaimPolicy: Delete
volumeBindingMode: Immediate
`;

async function stopProc(p: Proc, graceMs: number): Promise<void> {
  if (!alive(p)) return;
  try {
    process.kill(-p.pid, 'SIGTERM');
  } catch {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      return;
    }
  }
  const end = Date.now() + graceMs;
  while (alive(p) && Date.now() < end) await sleep(100);
  if (alive(p)) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      process.kill(p.pid, 'SIGKILL');
    }
  }
}

/** Every process whose command line names the cluster's directory (containerd shims, stragglers). */
function processesUsing(dir: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(dir)) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

/** Processes still inside the pods' cgroups (container processes whose shim is gone). */
function podProcesses(): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    try {
      for (const c of readdirSync(d, { withFileTypes: true })) {
        if (c.isDirectory()) walk(join(d, c.name));
        else if (c.name === 'cgroup.procs')
          out.push(...readFileSync(join(d, c.name), 'utf8').split('\n').filter(Boolean).map(Number));
      }
    } catch {
      // absent, or removed while we read it
    }
  };
  walk('/sys/fs/cgroup/pids/kubepods');
  walk('/sys/fs/cgroup/memory/kubepods');
  return [...new Set(out)];
}

/**
 * Stops the cluster in `dir` (also from another process: it works from the files `startCluster`
 * wrote) and restores the host. Resolves with what could not be restored; empty means the machine
 * is as it was before `up`.
 */
export async function stopCluster(dir = defaultDir()): Promise<string[]> {
  const state: State | undefined = existsSync(stateFile(dir))
    ? (JSON.parse(readFileSync(stateFile(dir), 'utf8')) as State)
    : undefined;
  const byName = (n: string) => state?.procs.find((p) => p.name === n);
  const stopNamed = async (names: string[], graceMs: number) => {
    for (const n of names) {
      const p = byName(n);
      if (p) await stopProc(p, graceMs);
    }
  };
  if (state) {
    await stopNamed(
      ['kubelet', 'nfs-provisioner', 'coredns', 'kube-scheduler', 'kube-controller-manager'],
      10_000,
    );
    const containerd = byName('containerd');
    if (containerd && alive(containerd) && existsSync(state.criClean)) {
      // Stop and remove every pod sandbox so CNI releases the netns, veths and IPs.
      runQuiet(state.criClean, [`--endpoint=unix://${state.containerdSocket}`]);
    }
    await stopNamed(['containerd'], 10_000);
    await stopNamed(['kube-apiserver', 'etcd'], 10_000);
    for (const p of state.procs) await stopProc(p, 0);
  }
  for (let i = 0; i < 3; i++) {
    const stragglers = [...processesUsing(dir), ...podProcesses()];
    if (stragglers.length === 0) break;
    for (const pid of stragglers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(300);
  }
  let left: string[] = [];
  if (existsSync(snapshotFile(dir))) {
    const before = JSON.parse(readFileSync(snapshotFile(dir), 'utf8')) as HostSnapshot;
    left = restoreHost(before, BRIDGE);
    if (left.length === 0) rmSync(snapshotFile(dir), { force: true });
  }
  if (process.env.KUBEGRADE_CLUSTER_KEEP_LOGS && existsSync(join(dir, 'logs')))
    cpSync(join(dir, 'logs'), process.env.KUBEGRADE_CLUSTER_KEEP_LOGS, { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  if (existsSync(dir)) left.push(`could not remove ${dir}`);
  return left;
}

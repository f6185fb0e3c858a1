// Builds, or reuses from the cache, every binary the cluster runs that Debian does not ship:
// the Kubernetes components (from the k8s.io/kubernetes module, through the wrapper module in
// ../go), CoreDNS (go install), and the small helpers in ../go/cmd (pause, nfs-provisioner,
// cri-clean). Cached by version (and, for the helpers, by a hash of their sources) outside the
// repository, so a second `up` takes no build at all.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommandError, onPath, run } from './run.ts';

/** The Kubernetes release the cluster runs (1.35+ refuse cgroup v1 by default; these VMs are v1). */
export const KUBERNETES_VERSION = 'v1.34.4';
/** The CoreDNS release (served by the Go module proxy). */
export const COREDNS_VERSION = 'v1.14.3';

/** The wrapper Go module (go.mod pins KUBERNETES_VERSION and replaces each staging module). */
export const GO_MODULE_DIR = resolve(import.meta.dirname, '../go');

const K8S_COMMANDS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kubectl',
] as const;
const HELPERS = ['pause', 'nfs-provisioner', 'cri-clean'] as const;

/** Paths of every built binary. */
export type Binaries = Record<(typeof K8S_COMMANDS)[number] | (typeof HELPERS)[number] | 'coredns', string>;

/** The cluster cannot be built or started on this machine, and why (e.g. no Go toolchain). */
export class ClusterUnavailable extends Error {}

/** The go command: on PATH, or where the Go installer puts it. */
export function goCommand(): string | undefined {
  if (onPath('go')) return 'go';
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

function versionLdflags(): string {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  const vars = (pkg: string) =>
    [
      `gitVersion=${KUBERNETES_VERSION}`,
      `gitMajor=${major}`,
      `gitMinor=${minor}`,
      'gitTreeState=archive',
      'buildDate=1970-01-01T00:00:00Z',
    ]
      .map((v) => `-X ${pkg}.${v}`)
      .join(' ');
  return `-s -w ${vars('k8s.io/component-base/version')} ${vars('k8s.io/client-go/pkg/version')}`;
}

function hashTree(dir: string, h = createHash('sha256')): ReturnType<typeof createHash> {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hashTree(p, h);
    else h.update(e.name).update(readFileSync(p));
  }
  return h;
}

// Builds into a temporary directory and renames it into place, so a killed build leaves no half cache.
async function cached(
  dir: string,
  names: readonly string[],
  log: (l: string) => void,
  what: string,
  build: (tmp: string) => Promise<void>,
): Promise<void> {
  if (names.every((n) => existsSync(join(dir, n)))) return;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  log(`building ${what} (cold: minutes; cached afterwards in ${dir})`);
  try {
    await build(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log(`built ${what} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Builds what is missing from `cacheDir` and returns every binary's path. */
export async function ensureBinaries(opts: {
  cacheDir: string;
  log?: (line: string) => void;
}): Promise<Binaries> {
  const log = opts.log ?? (() => {});
  const go = goCommand();
  const k8sDir = join(opts.cacheDir, `kubernetes-${KUBERNETES_VERSION}`);
  const corednsDir = join(opts.cacheDir, `coredns-${COREDNS_VERSION}`);
  const helperHash = hashTree(join(GO_MODULE_DIR, 'cmd'))
    .update(readFileSync(join(GO_MODULE_DIR, 'go.sum')))
    .digest('hex')
    .slice(0, 12);
  const helperDir = join(opts.cacheDir, `helpers-${helperHash}`);
  const need = [
    ...K8S_COMMANDS.map((c) => join(k8sDir, c)),
    join(corednsDir, 'coredns'),
    ...HELPERS.map((c) => join(helperDir, c)),
  ];
  if (!go && !need.every((p) => existsSync(p))) {
    throw new ClusterUnavailable(
      'no Go toolchain (go on PATH or /usr/local/go/bin/go): the Kubernetes components are built from Go modules',
    );
  }
  const env = {
    ...process.env,
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=readonly',
    GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local',
  };
  const goBuild = async (tmp: string, pkgs: string[], ldflags: string) => {
    await run(go as string, ['build', '-trimpath', '-ldflags', ldflags, '-o', `${tmp}/`, ...pkgs], {
      cwd: GO_MODULE_DIR,
      env,
      timeoutMs: 80 * 60_000,
    });
  };
  try {
    await cached(k8sDir, K8S_COMMANDS, log, `Kubernetes ${KUBERNETES_VERSION}`, (tmp) =>
      goBuild(
        tmp,
        K8S_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`),
        versionLdflags(),
      ),
    );
    await cached(helperDir, HELPERS, log, 'helper programs (pause, nfs-provisioner, cri-clean)', (tmp) =>
      goBuild(
        tmp,
        HELPERS.map((c) => `./cmd/${c}`),
        '-s -w',
      ),
    );
    await cached(corednsDir, ['coredns'], log, `CoreDNS ${COREDNS_VERSION}`, (tmp) =>
      run(
        go as string,
        ['install', '-trimpath', '-ldflags', '-s -w', `github.com/coredns/coredns@${COREDNS_VERSION}`],
        {
          env: { ...env, GOFLAGS: '', GOBIN: tmp },
          timeoutMs: 40 * 60_000,
        },
      ).then(() => undefined),
    );
  } catch (e) {
    if (e instanceof CommandError)
      throw new Error(`building the cluster's binaries failed: ${e.message}`, { cause: e });
    throw e;
  }
  return {
    ...(Object.fromEntries(K8S_COMMANDS.map((c) => [c, join(k8sDir, c)])) as Record<
      (typeof K8S_COMMANDS)[number],
      string
    >),
    ...(Object.fromEntries(HELPERS.map((c) => [c, join(helperDir, c)])) as Record<
      (typeof HELPERS)[number],
      string
    >),
    coredns: join(corednsDir, 'coredns'),
  };
}

// What the cluster changes on the host, recorded before `up` and put back by `down`: sysctls,
// iptables rules, routes, network links and namespaces, mounts, cgroups and a few well-known paths.
// `diffHost` names every difference, so a test can prove that `down` restored the machine.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runQuiet } from './run.ts';

/** The host state the cluster may touch. */
export interface HostSnapshot {
  sysctls: Record<string, string>;
  iptables: string[];
  ip6tables: string[];
  /** `nft list ruleset` as printed (iptables here is iptables-nft; restored from this text). */
  nftRuleset: string;
  routes: string[];
  addresses: string[];
  links: string[];
  netns: string[];
  mounts: string[];
  cgroups: string[];
  paths: Record<string, boolean>;
}

/** Paths that containerd, the kubelet or CNI create even when told to keep their state elsewhere. */
export const TOUCHED_PATHS = [
  '/run/containerd',
  '/var/log/containers',
  '/var/log/pods',
  '/var/lib/kubelet',
  '/var/lib/cni',
  '/etc/cni',
  '/opt/cni',
  '/etc/kubernetes',
  '/run/netns',
];

// Rule counters change by themselves.
const nftLines = (ruleset: string | undefined) =>
  (ruleset ?? '')
    .split('\n')
    .map((l) => l.trim().replace(/counter packets \d+ bytes \d+/, 'counter'))
    .filter(Boolean);

// Counters and other values that change by themselves.
const VOLATILE = [
  /^fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)/,
  /^kernel\.(random\.|ns_last_pid|pty\.nr|sched_|perf_event_max|tainted|keys\.(persistent|maxkeys)|core_pattern)/,
  /^net\.netfilter\.nf_conntrack_(count|buckets)/,
  /^vm\.(stat_refresh|drop_caches|compact_memory|nr_|lowmem|min_free)/,
  /^net\.ipv4\.tcp_(mem|fastopen_key)/,
  /^net\.ipv4\.route\.flush|^net\.ipv6\.route\.flush/,
  /^dev\.cdrom/,
];
// Keys of one interface exist only while it does; `links` covers those.
const PER_INTERFACE = /^net\.(ipv4|ipv6)\.(conf|neigh)\.([^.]+)\./;

function lines(cmd: string, args: string[]): string[] {
  const r = runQuiet(cmd, args);
  return r.ok
    ? r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
}

function readSysctls(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines('sysctl', ['-a'])) {
    const i = line.indexOf(' = ');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 3);
  }
  return out;
}

// iptables-save prints timestamps and packet counters; neither is state we care about.
const rules = (cmd: string) =>
  lines(cmd, [])
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\s*\[\d+:\d+\]$/, ''));

function cgroupDirs(): string[] {
  const root = '/sys/fs/cgroup';
  const out: string[] = [];
  if (!existsSync(root)) return out;
  for (const h of readdirSync(root)) {
    const dir = join(root, h);
    try {
      if (!statSync(dir).isDirectory()) continue;
      for (const c of readdirSync(dir, { withFileTypes: true }))
        if (c.isDirectory()) out.push(join(dir, c.name));
    } catch {
      // a controller we cannot read is not one the cluster touches
    }
  }
  return out.sort();
}

/** Records the host state the cluster may change. */
export function snapshotHost(): HostSnapshot {
  return {
    sysctls: readSysctls(),
    iptables: rules('iptables-save'),
    ip6tables: rules('ip6tables-save'),
    nftRuleset: runQuiet('nft', ['list', 'ruleset']).stdout,
    routes: [
      ...lines('ip', ['-4', '-o', 'route', 'show', 'table', 'all']),
      ...lines('ip', ['-6', '-o', 'route', 'show', 'table', 'all']),
    ].sort(),
    addresses: lines('ip', ['-o', 'addr', 'show'])
      .map((l) => l.replace(/\\\s+valid_lft.*$/, '').replace(/^\d+:\s*/, ''))
      .sort(),
    links: lines('ip', ['-o', 'link', 'show'])
      .map((l) => (l.split(':')[1] ?? '').trim().split('@')[0] ?? '')
      .filter(Boolean)
      .sort(),
    netns: existsSync('/run/netns') ? readdirSync('/run/netns').sort() : [],
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[4] ?? '')
      .sort(),
    cgroups: cgroupDirs(),
    paths: Object.fromEntries(TOUCHED_PATHS.map((p) => [p, existsSync(p)])),
  };
}

function setDiff(name: string, a: string[], b: string[]): string[] {
  const sa = new Set(a);
  const sb = new Set(b);
  return [
    ...b.filter((x) => !sa.has(x)).map((x) => `${name} added: ${x}`),
    ...a.filter((x) => !sb.has(x)).map((x) => `${name} removed: ${x}`),
  ];
}

/** The sysctl keys whose values differ (ignoring counters and interfaces that come and go). */
export function sysctlChanges(
  before: HostSnapshot,
  after: HostSnapshot,
): { key: string; from: string; to: string }[] {
  const out: { key: string; from: string; to: string }[] = [];
  for (const [key, from] of Object.entries(before.sysctls)) {
    if (VOLATILE.some((r) => r.test(key))) continue;
    const to = after.sysctls[key];
    if (to === undefined) {
      const iface = PER_INTERFACE.exec(key)?.[3];
      if (iface && !after.links.includes(iface)) continue;
    }
    if (to !== from) out.push({ key, from, to: to ?? '(absent)' });
  }
  return out;
}

/** Every difference between two snapshots, one line each (empty when the host is as it was). */
export function diffHost(before: HostSnapshot, after: HostSnapshot): string[] {
  return [
    ...sysctlChanges(before, after).map((c) => `sysctl ${c.key}: ${c.from} -> ${c.to}`),
    ...setDiff('iptables', before.iptables, after.iptables),
    ...setDiff('ip6tables', before.ip6tables, after.ip6tables),
    ...setDiff('nft', nftLines(before.nftRuleset), nftLines(after.nftRuleset)),
    ...setDiff('route', before.routes, after.routes),
    ...setDiff('address', before.addresses, after.addresses),
    ...setDiff('link', before.links, after.links),
    ...setDiff('netns', before.netns, after.netns),
    ...setDiff('mount', before.mounts, after.mounts),
    ...setDiff('cgroup', before.cgroups, after.cgroups),
    ...Object.entries(before.paths)
      .filter(([p, was]) => after.paths[p] !== was)
      .map(([p, was]) => `path ${p}: ${was ? 'existed, now missing' : 'created'}`),
  ];
}

/** Removes a cgroup directory tree bottom-up (a cgroup is removed with rmdir once it has no processes). */
function removeCgroup(dir: string): void {
  let children: string[];
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((c) => c.isDirectory())
      .map((c) => c.name);
  } catch {
    return; // gone already (another `down`, or the kubelet's own cleanup)
  }
  for (const c of children) removeCgroup(join(dir, c));
  try {
    rmSync(dir, { recursive: false });
  } catch {
    runQuiet('rmdir', [dir]);
  }
}

/**
 * Puts the host back as `before` recorded it, after the cluster's processes are gone. Only what the
 * cluster can have changed is touched; what cannot be restored is returned, one line each.
 */
export function restoreHost(before: HostSnapshot, bridge: string): string[] {
  const now = snapshotHost();
  // Mounts first (deepest first): kubelet volume bind mounts, overlay rootfs, netns bind mounts.
  const mounts = new Set(before.mounts);
  for (const m of [...now.mounts]
    .reverse()
    .filter((m) => !mounts.has(m))
    .sort((a, b) => b.length - a.length)) {
    runQuiet('umount', ['-l', m]);
  }
  for (const ns of now.netns.filter((n) => !before.netns.includes(n))) {
    runQuiet('ip', ['netns', 'delete', ns]);
    rmSync(join('/run/netns', ns), { force: true });
  }
  for (const link of now.links.filter((l) => !before.links.includes(l))) {
    if (link === bridge || link.startsWith('veth')) runQuiet('ip', ['link', 'delete', link]);
  }
  for (const a of now.addresses.filter((a) => !before.addresses.includes(a))) {
    const [dev, family, cidr] = a.split(/\s+/);
    if (dev && cidr && (family === 'inet' || family === 'inet6'))
      runQuiet('ip', ['addr', 'del', cidr, 'dev', dev]);
  }
  for (const r of snapshotHost().routes.filter((r) => !before.routes.includes(r))) {
    runQuiet('ip', [r.includes(':') ? '-6' : '-4', 'route', 'del', ...r.split(/\s+/)]);
  }
  const cgroups = new Set(before.cgroups);
  for (const c of now.cgroups.filter((c) => !cgroups.has(c))) removeCgroup(c);
  // The kubelet adds its own chains and tables (KUBE-FIREWALL, canaries) besides our FORWARD
  // rules: put the whole ruleset back as it was, including "no tables at all".
  if (nftLines(now.nftRuleset).join('\n') !== nftLines(before.nftRuleset).join('\n')) {
    runQuiet('nft', ['flush', 'ruleset']);
    if (before.nftRuleset.trim()) runQuiet('nft', ['-f', '-'], before.nftRuleset);
  }
  for (const c of sysctlChanges(before, snapshotHost()))
    runQuiet('sysctl', ['-q', '-w', `${c.key}=${c.from}`]);
  for (const [p, was] of Object.entries(before.paths))
    if (!was && existsSync(p)) rmSync(p, { recursive: true, force: true });
  return diffHost(before, snapshotHost());
}

// The cluster as a person uses it: `npm run cluster -- up` prints the kubeconfig and "ready",
// `kubectl get nodes` shows one Ready node running real Kubernetes, a pod reaches cluster DNS and
// this host but nothing outside the pod range, and `npm run cluster -- down` from another shell
// stops it and leaves the host exactly as it was (processes, mounts, netns, links, routes,
// iptables, sysctls, cgroups, paths).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBinaries, KUBERNETES_VERSION } from '../src/build.ts';
import { BRIDGE, BRIDGE_MAC, defaultCacheDir, defaultDir, NFS_SERVER, NODE_IP } from '../src/cluster.ts';
import { diffHost, snapshotHost, type HostSnapshot } from '../src/host.ts';
import { run, waitFor } from '../src/run.ts';
import { skipLane } from '../src/availability.ts';

const skip = skipLane();
const pkg = resolve(import.meta.dirname, '..');
const cli = (args: string[]) =>
  spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: pkg,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

function linesOf(child: ChildProcess): {
  out: string[];
  err: string[];
  waitFor(re: RegExp, ms: number): Promise<string>;
} {
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (d: Buffer) => err.push(...d.toString().split('\n').filter(Boolean)));
  return {
    out,
    err,
    async waitFor(re, ms) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const hit = out.find((l) => re.test(l));
        if (hit) return hit;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(
        `no line matching ${re} (exit ${child.exitCode}); stderr:\n${err.slice(-30).join('\n')}`,
      );
    },
  };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );

/** Packets the cluster's FORWARD DROP rules have dropped so far. */
async function droppedPackets(): Promise<number> {
  const out = await run('iptables', ['-L', 'FORWARD', '-v', '-x', '-n']);
  return out
    .split('\n')
    .filter((l) => l.includes('kubegrade-cluster'))
    .reduce((n, l) => n + Number(l.trim().split(/\s+/)[0] ?? 0), 0);
}

describe.skipIf(skip)('npm run cluster -- up / down', () => {
  let before: HostSnapshot;
  let up: ChildProcess;
  let upOut: ReturnType<typeof linesOf>;
  let kubeconfig = '';
  let kubectl: (args: string[], input?: string) => Promise<string>;

  beforeAll(async () => {
    before = snapshotHost();
    up = cli(['up']);
    upOut = linesOf(up);
    kubeconfig = (await upOut.waitFor(/^kubeconfig: /, 60 * 60_000)).slice('kubeconfig: '.length);
    await upOut.waitFor(/^ready$/, 10 * 60_000);
    const bin = (await ensureBinaries({ cacheDir: defaultCacheDir() })).kubectl;
    kubectl = (args, input) => run(bin, ['--kubeconfig', kubeconfig, ...args], { input, timeoutMs: 120_000 });
  });

  /** A busybox pod in namespace net-probe that sleeps for an hour. */
  const sleeper = (name: string) =>
    kubectl([
      'run',
      name,
      '-n',
      'net-probe',
      '--image=busybox:1.36',
      '--image-pull-policy=IfNotPresent',
      '--restart=Never',
      '--',
      'sleep',
      '3600',
    ]);

  afterAll(async () => {
    // Whatever happened above, nothing stays up.
    if (up && up.exitCode === null) {
      up.kill('SIGINT');
      await exited(up);
    }
  });

  it('prints the kubeconfig, then "ready"; kubectl shows one Ready node running real Kubernetes', async () => {
    expect(upOut.out.indexOf(`kubeconfig: ${kubeconfig}`)).toBeLessThan(upOut.out.indexOf('ready'));
    const nodes = (await kubectl(['get', 'nodes', '--no-headers'])).trim().split('\n');
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatch(/^kubegrade-node\s+Ready\s+/);
    expect(nodes[0]).toContain(KUBERNETES_VERSION);
    const version = JSON.parse(await kubectl(['version', '-o', 'json'])) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(version.serverVersion.gitVersion).toBe(KUBERNETES_VERSION);
    expect(version.clientVersion.gitVersion).toBe(KUBERNETES_VERSION);
  });

  it('routes the service range and the labs NFS server into a blackhole on the host', async () => {
    for (const ip of [NFS_SERVER, '10.96.77.7'])
      expect(await run('ip', ['route', 'get', ip]).catch((e: Error) => e.message)).toMatch(
        /blackhole|Invalid argument|No route/i,
      );
  });

  it('lets a pod reach cluster DNS and this host, and nothing outside the pod range', async () => {
    await kubectl(['create', 'namespace', 'net-probe']);
    await sleeper('probe');
    await kubectl(['wait', '-n', 'net-probe', '--for=condition=Ready', 'pod/probe', '--timeout=120s']);
    const sh = (cmd: string) =>
      kubectl(['exec', '-n', 'net-probe', 'probe', '--', 'sh', '-c', `${cmd}; echo "exit=$?"`]);
    // Positive controls: cluster DNS (CoreDNS on this host) and the kubelet port on the node address.
    expect(await sh('nslookup kubernetes.default.svc.cluster.local')).toContain('10.96.0.1');
    // (busybox nc has no -z: a connection that opens and closes on stdin's EOF exits 0.)
    const connect = (ip: string, port: number) => sh(`nc -w 3 ${ip} ${port} </dev/null`);
    expect(await connect('10.244.0.1', 10250)).toContain('exit=0');
    const dropped = await droppedPackets();
    // TEST-NET-3 would be routed through this machine's default gateway; the NFS server and a
    // service address likewise: none of them answers, and the drop rule counted the attempts.
    for (const ip of ['203.0.113.1', NFS_SERVER]) expect(await connect(ip, 80)).toContain('exit=1');
    expect(await connect('10.96.0.1', 443)).toContain('exit=1');
    expect(await droppedPackets()).toBeGreaterThan(dropped);
  });

  it('keeps a running pod on the network while other pods come and go (the bridge keeps its MAC)', async () => {
    // Runs after the probe above: its ARP entry for the gateway is the bridge's MAC.
    const bridgeMac = () => readFileSync(`/sys/class/net/${BRIDGE}/address`, 'utf8').trim();
    const gatewayMac = async () => {
      const arp = await kubectl(['exec', '-n', 'net-probe', 'probe', '--', 'cat', '/proc/net/arp']);
      return arp
        .split('\n')
        .find((l) => l.startsWith(`${NODE_IP} `))
        ?.trim()
        .split(/\s+/)[3];
    };
    const mac = bridgeMac();
    expect(mac).toBe(BRIDGE_MAC);
    expect(await gatewayMac()).toBe(mac);
    // Each pod adds a veth to the bridge and its delete removes it; with the kernel's default the
    // bridge would take the lowest port MAC each time, and the probe's entry would go stale.
    const others = ['a', 'b', 'c', 'd'].map((x) => `other-${x}`);
    for (const name of others) await sleeper(name);
    await kubectl([
      'wait',
      '-n',
      'net-probe',
      '--for=condition=Ready',
      ...others.map((n) => `pod/${n}`),
      '--timeout=120s',
    ]);
    expect(bridgeMac()).toBe(mac);
    const ports = () => readdirSync(`/sys/class/net/${BRIDGE}/brif`).length;
    expect(ports()).toBe(1 + others.length);
    await kubectl(['delete', 'pod', '-n', 'net-probe', '--grace-period=1', ...others]);
    // The kubelet removes a deleted pod's veth shortly after the pod object is gone.
    await waitFor(
      "the deleted pods' veths to leave the bridge",
      async () => (ports() === 1 ? true : undefined),
      60_000,
    );
    expect(bridgeMac()).toBe(mac);
    expect(await gatewayMac()).toBe(mac);
    const answer = await kubectl([
      'exec',
      '-n',
      'net-probe',
      'probe',
      '--',
      'nslookup',
      'kubernetes.default.svc.cluster.local',
    ]);
    expect(answer).toContain('10.96.0.1');
  });

  it('stops from another shell and leaves the host exactly as it found it', async () => {
    const down = cli(['down']);
    const downOut = linesOf(down);
    expect(await exited(down), downOut.err.join('\n')).toBe(0);
    expect(await exited(up)).toBe(0);
    expect(upOut.err.join('\n')).toContain('stopped from another shell');
    expect(diffHost(before, snapshotHost())).toEqual([]);
    const dir = defaultDir();
    const users = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
        } catch {
          return false;
        }
      });
    expect(users).toEqual([]);
  });
});

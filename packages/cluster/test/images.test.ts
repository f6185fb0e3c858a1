// The images the real cluster runs, checked in a private containerd: every archive imports with
// every one of its names, the redis image behaves like the official Debian-slim one (entrypoint
// adds `--protected-mode no`, runs as redis 999 in /data, bash and glibc getent, no nslookup),
// busybox has its applets, pause exits 0 on SIGTERM, and a second ensureImages takes milliseconds.
//
// The scratch containerd keeps root, state, opt, runc root, FIFOs and cgroups under names of its
// own; containerd 1.6 still puts its shims' sockets under /run/containerd/s, so /run/containerd is
// removed afterwards when it was not there before (only empty directories are ever removed).
// Containers get their own network namespace with only `lo`: nothing leaves the machine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@kubegrade/testkit';
import {
  BUSYBOX_NAMES,
  ensureImages,
  importImages,
  PAUSE_NAMES,
  REDIS_NAMES,
  type ImageArchive,
} from '../src/images.ts';

const cacheDir = process.env.KUBEGRADE_CLUSTER_CACHE ?? '/var/cache/kubegrade-cluster';

const onPath = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (containerd and image builds need root)';
  for (const cmd of ['containerd', 'ctr', 'runc'])
    if (!onPath(cmd)) return `${cmd} is not installed (apt-get install containerd runc)`;
  return undefined;
}

const why = skipReason();
if (why && process.env.CI) throw new Error(`the image test cannot run in CI: ${why}`);
if (why) console.warn(`\n*** images.test.ts did NOT run: ${why} ***\n`);

const cgroupParent = `kubegrade-images-test-${process.pid}`;
const hadRunContainerd = existsSync('/run/containerd');
let dir = '';
let sock = '';
let containerd: ChildProcess | undefined;
let archives: ImageArchive[] = [];
const containers = new Set<string>();

function ctr(args: string[], timeoutMs = 120_000): { code: number | null; out: string } {
  const r = spawnSync('ctr', ['--address', sock, '-n', 'k8s.io', ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/**
 * Output of a command run inside a running container (fails the test on a non-zero exit). `ctr
 * task exec` can lose the output of a command that exits at once (its stdout fifo is read after
 * the process is gone; seen under load): an exit 0 with no output at all is run again, twice at most.
 */
function exec(id: string, cmd: string[]): string {
  let r: { code: number | null; out: string } = { code: null, out: '' };
  for (let attempt = 0; attempt < 3 && (attempt === 0 || (r.code === 0 && r.out === '')); attempt++) {
    r = ctr([
      'task',
      'exec',
      '--fifo-dir',
      join(dir, 'fifo'),
      '--exec-id',
      `e${Math.random().toString(36).slice(2, 10)}`,
      id,
      ...cmd,
    ]);
  }
  if (r.code !== 0) throw new Error(`${cmd.join(' ')} in ${id} exited ${r.code}: ${r.out}`);
  return r.out;
}

const runFlags = (id: string) => [
  '--fifo-dir',
  join(dir, 'fifo'),
  '--runc-root',
  join(dir, 'runc'),
  '--cgroup',
  `/${cgroupParent}/${id}`,
];

function removeContainer(id: string): void {
  ctr(['task', 'kill', '-s', 'SIGKILL', id]);
  for (
    let i = 0;
    i < 20 &&
    ctr(['task', 'rm', '-f', id]).code !== 0 &&
    ctr(['task', 'ls', '-q']).out.split('\n').includes(id);
    i++
  )
    spawnSync('sleep', ['0.25']);
  ctr(['containers', 'rm', id]);
  containers.delete(id);
}

function mountsUnder(root: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === root || m.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
}

/** Shim processes started for this containerd (their command line names our socket). */
function ourShims(): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmdline.includes('containerd-shim') && cmdline.includes(sock)) pids.push(Number(p));
    } catch {
      // gone
    }
  }
  return pids;
}

describe.skipIf(why !== undefined)('cluster images in a scratch containerd', () => {
  beforeAll(async () => {
    archives = await ensureImages({ cacheDir, log: (l) => console.log(l) });
    dir = mkdtempSync('/tmp/kubegrade-images-test-');
    sock = join(dir, 'containerd.sock');
    writeFileSync(
      join(dir, 'config.toml'),
      [
        'version = 2',
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        '[grpc]',
        `  address = "${sock}"`,
        '[plugins."io.containerd.internal.v1.opt"]',
        `  path = "${dir}/opt"`,
        '[plugins."io.containerd.grpc.v1.cri"]',
        '  restrict_oom_score_adj = true',
        '  sandbox_image = "registry.k8s.io/pause:3.10"',
        '  [plugins."io.containerd.grpc.v1.cri".cni]',
        '    bin_dir = "/usr/lib/cni"',
        `    conf_dir = "${dir}/cni"`,
        '',
      ].join('\n'),
    );
    containerd = spawn(
      'containerd',
      [
        '--config',
        join(dir, 'config.toml'),
        '--root',
        join(dir, 'root'),
        '--state',
        join(dir, 'state'),
        '--address',
        sock,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    containerd.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-20_000);
    });
    await until(
      'containerd to answer',
      () => {
        if (ctr(['version']).code === 0) return true;
        if (containerd?.exitCode !== null) throw new Error(`containerd exited: ${log}`);
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  });

  afterAll(async () => {
    if (!dir) return;
    for (const id of [...containers]) removeContainer(id);
    if (containerd && containerd.exitCode === null) {
      const exited = new Promise((r) => containerd?.once('exit', r));
      containerd.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (containerd.exitCode === null) containerd.kill('SIGKILL');
    }
    for (const pid of ourShims()) process.kill(pid, 'SIGKILL');
    for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m]);
    // the containers' cgroups are gone with their tasks; their parent is ours to remove
    for (const h of readdirSync('/sys/fs/cgroup')) {
      const parent = join('/sys/fs/cgroup', h, cgroupParent);
      if (existsSync(parent)) {
        try {
          rmdirSync(parent);
        } catch (e) {
          console.warn(`could not remove cgroup ${parent}: ${(e as Error).message}`);
        }
      }
    }
    if (!hadRunContainerd) {
      // containerd 1.6 leaves empty /run/containerd/{s,fifo,runc/<ns>} behind; rmdir only removes empty ones
      for (const d of [
        '/run/containerd/runc/k8s.io',
        '/run/containerd/runc',
        '/run/containerd/s',
        '/run/containerd/fifo',
        '/run/containerd',
      ]) {
        try {
          rmdirSync(d);
        } catch {
          // not there, or in use by another containerd
        }
      }
    }
    if (mountsUnder(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    else console.warn(`left ${dir}: still mounted: ${mountsUnder(dir).join(', ')}`);
  });

  it('imports every archive under every name', async () => {
    await importImages({ ctr: 'ctr', address: sock, archives });
    const listed = ctr(['images', 'ls', '-q'])
      .out.split('\n')
      .map((l) => l.trim());
    const names = archives.flatMap((a) => a.names);
    expect(names.sort()).toEqual([...PAUSE_NAMES, ...REDIS_NAMES, ...BUSYBOX_NAMES].sort());
    for (const n of names) expect(listed).toContain(n);
  });

  it('a second ensureImages reuses the cache in milliseconds', async () => {
    const started = Date.now();
    const again = await ensureImages({ cacheDir });
    expect(again).toEqual(archives);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('redis behaves like the official image: protected mode off, user redis in /data, bash and getent, no nslookup', async () => {
    const id = 'kg-images-redis';
    containers.add(id);
    const r = ctr(['run', '-d', ...runFlags(id), 'docker.io/library/redis:7.4.4', id]);
    expect(r.code, r.out).toBe(0);
    await until(
      'redis-cli ping to answer PONG',
      () =>
        ctr([
          'task',
          'exec',
          '--fifo-dir',
          join(dir, 'fifo'),
          '--exec-id',
          `p${Date.now()}`,
          id,
          'redis-cli',
          'ping',
        ]).out.includes('PONG')
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(exec(id, ['redis-cli', 'config', 'get', 'protected-mode'])).toMatch(/protected-mode\s+no/);
    expect(exec(id, ['sh', '-c', 'grep ^Uid: /proc/1/status'])).toMatch(/Uid:\s+999\s/);
    expect(exec(id, ['sh', '-c', 'stat -c "%U:%G" /data && pwd']).split('\n').slice(0, 2)).toEqual([
      'redis:redis',
      '/data',
    ]);
    expect(exec(id, ['bash', '-c', 'echo "bash $BASH_VERSION"'])).toMatch(/^bash 5\./);
    expect(exec(id, ['getent', 'hosts', 'localhost'])).toMatch(/localhost/);
    expect(exec(id, ['sh', '-c', 'command -v nslookup dig host || echo none'])).toBe('none\n');
    // a config file first: `--protected-mode no` goes after it, before the user's options
    exec(id, ['sh', '-c', 'printf "port 6391\\nsave \\"\\"\\n" > /tmp/k.conf && chmod 644 /tmp/k.conf']);
    exec(id, ['docker-entrypoint.sh', '/tmp/k.conf', '--daemonize', 'yes']);
    await until(
      'the second redis on 6391',
      () =>
        ctr([
          'task',
          'exec',
          '--fifo-dir',
          join(dir, 'fifo'),
          '--exec-id',
          `q${Date.now()}`,
          id,
          'redis-cli',
          '-p',
          '6391',
          'ping',
        ]).out.includes('PONG')
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(exec(id, ['redis-cli', '-p', '6391', 'config', 'get', 'protected-mode'])).toMatch(
      /protected-mode\s+no/,
    );
    removeContainer(id);
  });

  it('busybox has sh, nslookup and sleep applets', () => {
    const id = 'kg-images-busybox';
    containers.add(id);
    const r = ctr([
      'run',
      '--rm',
      ...runFlags(id),
      'docker.io/library/busybox:1.36',
      id,
      'sh',
      '-c',
      'for a in sh nslookup sleep wget; do test "$(readlink /bin/$a)" = busybox && echo /bin/$a; done; busybox | head -1',
    ]);
    containers.delete(id);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('/bin/nslookup');
    expect(r.out).toContain('/bin/sleep');
    expect(r.out).toMatch(/BusyBox v1\.\d+/);
  });

  it('pause sleeps until SIGTERM and then exits 0', async () => {
    const id = 'kg-images-pause';
    containers.add(id);
    expect(ctr(['run', '-d', ...runFlags(id), 'registry.k8s.io/pause:3.10', id]).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(ctr(['task', 'ls']).out).toMatch(new RegExp(`${id}\\s+\\d+\\s+RUNNING`));
    ctr(['task', 'kill', '-s', 'SIGTERM', id]);
    await until('pause to stop', () => (/STOPPED/.test(ctr(['task', 'ls']).out) ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    // ctr warns "task ... exit with non-zero exit code N" when the task did not exit 0
    const del = ctr(['task', 'rm', id]);
    expect(del.code, del.out).toBe(0);
    expect(del.out).not.toMatch(/non-zero exit code/);
    expect(ctr(['task', 'ls']).out).not.toContain(id);
    removeContainer(id);
  });
});

// createPodRuntime: the PodRuntime kube-sim's core drives. Redis containers are real
// redis-server processes whose --dir is the directory backing the volume at /data; every other
// command runs through the image emulation in commands.ts.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type {
  ClusterView,
  ExecIO,
  ExecOutcome,
  KubeObject,
  PodRuntime,
  VolumeBacking,
} from '../runtime-contract.ts';
import {
  parseRedisCliArgs,
  runCommand,
  resolveInPod,
  type CommandEnv,
  type RedisTarget,
} from './commands.ts';
import type { DnsConfig } from './dns.ts';
import { imageKind, resolveExecutable } from './images.ts';
import { podContainers, podIP, podIsReady, selects, type Container } from './pod-spec.ts';
import { crlfIO } from './tty.ts';
import { RedisStartError, startRedisServer, type RedisProcess } from './redis-process.ts';
import { volumeBacking } from './volumes.ts';

export { orphanGuard } from './launcher.ts';
export { RedisStartError, type RedisProcess } from './redis-process.ts';
export { imageKind, imageBaseName, ociNotFoundMessage, type ImageKind } from './images.ts';
export {
  etcHosts,
  resolvConf,
  resolveFromPod,
  lookupAbsolute,
  CLUSTER_DNS_IP,
  type DnsResult,
} from './dns.ts';
export { parseShell } from './shell.ts';

/** Options of createPodRuntime. */
export interface PodRuntimeOptions {
  /** Root directory for volume data (NFS exports, provisioned PVs, emptyDirs). */
  dataDir: string;
  redisServer?: string;
  redisCli?: string;
  /** Cluster state for DNS and volume lookups; can also be given later with attachView(). */
  view?: ClusterView;
  clusterDomain?: string;
  /** How many redis-servers may be starting at once (keeps a 500-pod load from fork-storming). */
  maxConcurrentStarts?: number;
  /**
   * 'lazy' (default): a Redis container's server process starts on first use (an exec that
   * reaches it, a probe that needs a real answer). Observable behaviour is the same as 'eager'
   * (the server loads the volume's dump.rdb whenever it starts; one never started has nothing to
   * save), and a 500-student class costs no processes until graded. Containers with extra
   * redis-server args start at once either way, so a rejected configuration fails the start.
   * 'eager': every server starts on start().
   */
  startMode?: 'lazy' | 'eager';
}

/** What the runtime knows about one Redis container incarnation. */
export interface RedisContainerInfo {
  container: string;
  pid: number;
  /** The private 127.0.0.1 port the real server listens on. */
  port: number;
  /** The port Redis listens on inside the simulated container (6379 unless args say otherwise). */
  containerPort: number;
  dir: string;
  backing: VolumeBacking;
  running: boolean;
}

/** PodRuntime plus the inspection hooks tests, the demo and the core's wiring use. */
export interface SimPodRuntime extends PodRuntime {
  /** Give the runtime the cluster state it reads (the core calls this when it starts). */
  attachView(view: ClusterView): void;
  /** The Redis servers of a pod incarnation (by uid), for tests and diagnostics. */
  redisContainers(podUid: string): RedisContainerInfo[];
  /** PIDs of every redis-server still running. */
  pids(): number[];
  /** What backs `mountPath` (default /data) in a container of the pod. */
  volumeBacking(pod: KubeObject, container?: string, mountPath?: string): VolumeBacking;
  /** The log lines of a pod's container (the real redis-server output for Redis containers). */
  logs(podUid: string, container?: string): string[];
  /** exec with the session's TTY flag (under a TTY, redis-cli formats replies: quoted strings). */
  execTty(
    pod: KubeObject,
    container: string,
    command: string[],
    io: ExecIO,
    signal: AbortSignal | undefined,
    tty: boolean,
  ): Promise<ExecOutcome>;
}

type RedisSlot = {
  container: string;
  /** The directory Redis writes to inside the container (--dir, default /data). */
  redisDir?: string;
  extraArgs: string[];
  containerPort: number;
  dir: string;
  backing: VolumeBacking;
  proc?: RedisProcess;
  starting?: Promise<RedisProcess | undefined>;
  error?: string;
};

type Entry = {
  pod: KubeObject;
  redis: Map<string, RedisSlot>;
  ephemeral: string[];
  stopping?: Promise<void>;
};

/** Parse the flags of a redis container's args that we pass to redis-server, and its listen port. */
function redisArgs(c: Container): { extra: string[]; port: number; dir?: string } {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  let dir: string | undefined;
  // Flags kube-sim must own (address, directory, process mode) are dropped; others pass through.
  const owned = new Set([
    '--port',
    '--bind',
    '--dir',
    '--daemonize',
    '--logfile',
    '--pidfile',
    '--unixsocket',
    '--protected-mode',
    '--include',
  ]);
  const extra: string[] = [];
  let port = 6379;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) continue;
    const values: string[] = [];
    while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) values.push(argv[++i] as string);
    if (a === '--port' && values[0]) port = Number(values[0]);
    if (a === '--dir' && values[0] !== undefined) dir = values[0];
    if (!owned.has(a)) extra.push(a, ...values);
  }
  return { extra, port, ...(dir !== undefined ? { dir } : {}) };
}

class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Send PING and report whether any reply came back (what `redis-cli ping`'s exit code tells). */
function tcpPing(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.once('data', () => done(true));
    sock.once('error', () => done(false));
    sock.once('end', () => done(false));
  });
}

function tcpConnects(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Create the runtime that backs kube-sim's pods with real processes. */
export function createPodRuntime(opts: PodRuntimeOptions): SimPodRuntime {
  const dataDir = path.resolve(opts.dataDir);
  const redisServer = opts.redisServer ?? 'redis-server';
  const redisCliBin = opts.redisCli ?? 'redis-cli';
  const dns: DnsConfig = { clusterDomain: opts.clusterDomain ?? 'cluster.local' };
  const sem = new Semaphore(opts.maxConcurrentStarts ?? 6);
  const startMode = opts.startMode ?? 'lazy';
  const entries = new Map<string, Entry>();
  let view = opts.view;
  let closed = false;

  const containerOf = (pod: KubeObject, name: string) => podContainers(pod).find((c) => c.name === name);

  function redisFor(pod: KubeObject): RedisSlot | undefined {
    const entry = entries.get(pod.metadata.uid);
    return entry ? [...entry.redis.values()][0] : undefined;
  }

  /** The first object matching `pred`, looking in `namespace` before listing (and copying) the whole cluster. */
  function findInNamespaceFirst(
    resource: string,
    namespace: string | undefined,
    pred: (o: KubeObject) => boolean,
  ): KubeObject | undefined {
    if (!view) return undefined;
    return view.list(resource, namespace ?? 'default').find(pred) ?? view.list(resource).find(pred);
  }

  /** The Redis server a redis-cli -h/-p typed inside `env.pod` would reach, or redis-cli's error. */
  function findRedisSlot(
    env: CommandEnv,
    host: string,
    port: number,
  ): { entry: Entry; slot: RedisSlot } | { error: string } {
    const refused = { error: `Could not connect to Redis at ${host}:${port}: Connection refused` };
    const local = host === 'localhost' || host === '127.0.0.1' || host === '::1';
    let ip = local ? (podIP(env.pod) ?? '127.0.0.1') : resolveInPod(env, host);
    if (!ip) return { error: `Could not connect to Redis at ${host}:${port}: Name or service not known` };
    let targetPort = port;
    let targetPod: KubeObject | undefined;
    if (local || ip === podIP(env.pod)) targetPod = env.pod;
    if (!targetPod && view) {
      // A ClusterIP goes through kube-proxy to one ready endpoint.
      const svc = findInNamespaceFirst(
        'services',
        env.pod.metadata.namespace,
        (s) => (s.spec as { clusterIP?: string } | undefined)?.clusterIP === ip,
      );
      if (svc) {
        const spec = svc.spec as {
          ports?: { port?: number; targetPort?: number | string }[];
          selector?: Record<string, string>;
        };
        const sp = spec.ports?.find((p) => p.port === port);
        if (!sp) return refused;
        const backend = view
          .list('pods', svc.metadata.namespace)
          .find(
            (p) =>
              selects(spec.selector, p.metadata.labels) && podIsReady(p) && !p.metadata.deletionTimestamp,
          );
        if (!backend) return refused;
        ip = podIP(backend) ?? '';
        targetPort = typeof sp.targetPort === 'number' ? sp.targetPort : port;
      }
      targetPod = findInNamespaceFirst(
        'pods',
        env.pod.metadata.namespace,
        (p) => podIP(p) === ip && !p.metadata.deletionTimestamp,
      );
    }
    const entry = targetPod ? entries.get(targetPod.metadata.uid) : undefined;
    const slot = entry ? [...entry.redis.values()].find((s) => s.containerPort === targetPort) : undefined;
    if (!entry || !slot || entry.stopping) return refused;
    return { entry, slot };
  }

  /** The slot's running server, starting it first when it is not running (lazy start, or after a crash). */
  async function ensureServer(entry: Entry, slot: RedisSlot): Promise<RedisProcess | undefined> {
    if (slot.proc?.isRunning()) return slot.proc;
    if (closed || entry.stopping) return undefined;
    slot.starting ??= startSlot(slot).finally(() => {
      slot.starting = undefined;
    });
    const proc = await slot.starting;
    return proc?.isRunning() && !entry.stopping ? proc : undefined;
  }

  async function redisTarget(env: CommandEnv, host: string, port: number): Promise<RedisTarget> {
    const found = findRedisSlot(env, host, port);
    if ('error' in found) return found;
    const proc = await ensureServer(found.entry, found.slot);
    return proc
      ? { port: proc.port }
      : { error: `Could not connect to Redis at ${host}:${port}: Connection refused` };
  }

  /**
   * A readiness probe that is `redis-cli [-h H] [-p P] ping` succeeds exactly when redis-cli can
   * connect (it exits 0 on any reply). Answered with one TCP round trip instead of a process; a
   * server not started yet (lazy mode) would answer once started, so it counts as answering.
   */
  async function redisPingProbe(
    env: CommandEnv,
    command: string[],
    timeoutMs: number,
  ): Promise<boolean | undefined> {
    const argv0 = command[0];
    if (!argv0 || resolveExecutable(env.kind, argv0) !== 'redis-cli') return undefined;
    const parsed = parseRedisCliArgs(command);
    if (parsed.command.length !== 1 || parsed.command[0]?.toLowerCase() !== 'ping') return undefined;
    const found = findRedisSlot(env, parsed.host, parsed.port);
    if ('error' in found) return false;
    const { slot } = found;
    if (!slot.proc && !slot.starting && startMode === 'lazy') return slot.error === undefined;
    const proc = slot.proc ?? (await slot.starting);
    return proc?.isRunning() ? tcpPing(proc.port, timeoutMs) : false;
  }

  /** What backs `dir` in the container: the mount whose path is its longest prefix (subdirectories follow it). */
  function backingOfPath(pod: KubeObject, c: Container, dir: string): VolumeBacking {
    const norm = (p: string) => p.replace(/\/+$/, '') || '/';
    const mounts = (c.volumeMounts ?? []).filter(
      (m) => norm(dir) === norm(m.mountPath) || norm(dir).startsWith(`${norm(m.mountPath)}/`),
    );
    const best = mounts.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    if (!best) return { kind: 'none' };
    const b = volumeBacking(view, dataDir, pod, c, best.mountPath);
    if (b.kind === 'none') return b;
    const rest = norm(dir).slice(norm(best.mountPath).length);
    return { ...b, dir: path.join(b.dir, rest) };
  }

  function hostPathOf(pod: KubeObject, container: Container, containerPath: string): string | undefined {
    for (const m of container.volumeMounts ?? []) {
      const mount = m.mountPath.replace(/\/+$/, '');
      if (containerPath === mount || containerPath.startsWith(`${mount}/`)) {
        // Redis's slot backing is what backs its --dir; it stands for this mount only when --dir is the mount.
        const slot = redisFor(pod);
        const b =
          slot?.container === container.name && slot.redisDir === mount
            ? slot.backing
            : volumeBacking(view, dataDir, pod, container, m.mountPath);
        if (!b || b.kind === 'none') return undefined;
        return path.join(b.dir, containerPath.slice(mount.length));
      }
    }
    return undefined;
  }

  async function startSlot(slot: RedisSlot): Promise<RedisProcess | undefined> {
    try {
      mkdirSync(slot.dir, { recursive: true });
      const proc = await sem.run(() =>
        startRedisServer({ bin: redisServer, dir: slot.dir, extraArgs: slot.extraArgs }),
      );
      if (closed) {
        await proc.stop(2000);
        return undefined;
      }
      slot.proc = proc;
      return proc;
    } catch (e) {
      slot.error = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  async function exec(
    pod: KubeObject,
    container: string,
    command: string[],
    io: ExecIO,
    signal?: AbortSignal,
    tty = false,
  ): Promise<ExecOutcome> {
    const entry = entries.get(pod.metadata.uid);
    const c = containerOf(pod, container);
    if (!entry || !c || entry.stopping)
      return { exitCode: 1, startError: `container not found ("${container}")` };
    entry.pod = pod;
    return runCommand(command, commandEnv(pod, c, tty ? crlfIO(io) : io, signal, tty));
  }

  function commandEnv(
    pod: KubeObject,
    c: Container,
    io: ExecIO,
    signal: AbortSignal | undefined,
    tty: boolean,
  ): CommandEnv {
    const env: CommandEnv = {
      pod,
      container: c,
      kind: imageKind(c.image),
      io,
      signal,
      tty,
      dns,
      view,
      redisCli: redisCliBin,
      hostPathOf: (p) => hostPathOf(pod, c, p),
      redisTarget: (h, p) => redisTarget(env, h, p),
    };
    return env;
  }

  const runtime: SimPodRuntime = {
    attachView(v) {
      view = v;
    },

    async start(pod) {
      if (closed || entries.has(pod.metadata.uid)) return;
      const entry: Entry = { pod, redis: new Map(), ephemeral: [] };
      entries.set(pod.metadata.uid, entry);
      const starts: Promise<unknown>[] = [];
      for (const c of podContainers(pod)) {
        for (const m of c.volumeMounts ?? []) {
          const b = volumeBacking(view, dataDir, pod, c, m.mountPath);
          if (b.kind === 'ephemeral') entry.ephemeral.push(b.dir);
          if (b.kind !== 'none') mkdirSync(b.dir, { recursive: true });
        }
        if (imageKind(c.image) !== 'redis') continue;
        // Redis writes its dump into --dir (the image's WORKDIR /data by default); a relative
        // --dir is relative to /data. What backs that directory decides whether data survives.
        const { extra, port, dir: dirArg } = redisArgs(c);
        const redisDir = dirArg === undefined ? '/data' : path.posix.resolve('/data', dirArg);
        let backing = backingOfPath(pod, c, redisDir);
        if (backing.kind === 'none') {
          // No volume at /data: the image's anonymous /data lives in the container's writable layer.
          backing = {
            kind: 'ephemeral',
            dir: path.join(
              dataDir,
              'pods',
              pod.metadata.namespace ?? 'default',
              `${pod.metadata.name}-${pod.metadata.uid}`,
              `${c.name}-data`,
            ),
          };
          entry.ephemeral.push(backing.dir);
        }
        const dataMount = (c.volumeMounts ?? []).find((m) => m.mountPath.replace(/\/+$/, '') === '/data');
        if (dataMount?.readOnly && !c.command?.length) {
          // The official image's entrypoint chowns /data to redis before starting the server
          // (`find . \! -user redis -exec chown redis '{}' +`, under set -e): refused on a
          // read-only mount, so the container exits and crash-loops.
          entry.redis.set(c.name, {
            container: c.name,
            redisDir,
            extraArgs: extra,
            containerPort: port,
            dir: backing.dir,
            backing,
            error: "chown: changing ownership of '.': Read-only file system",
          });
          continue;
        }
        const slot: RedisSlot = {
          container: c.name,
          redisDir,
          extraArgs: extra,
          containerPort: port,
          dir: backing.dir,
          backing,
        };
        entry.redis.set(c.name, slot);
        // With the image's default configuration a server cannot fail to start, so it can wait for
        // first use; custom args might be rejected, and that must show at start as it would.
        if (startMode === 'eager' || extra.length > 0) starts.push(ensureServer(entry, slot));
      }
      await Promise.all(starts);
      const failed = [...entry.redis.values()].find((slot) => slot.error !== undefined);
      if (failed) {
        // The container exited at start: forget this attempt so the kubelet's retry starts afresh.
        await runtime.stop(pod, 0);
        throw new RedisStartError(`container ${failed.container}: ${failed.error}`);
      }
    },

    async probeReady(pod) {
      const entry = entries.get(pod.metadata.uid);
      if (!entry || entry.stopping) return false;
      for (const c of podContainers(pod)) {
        const slot = entry.redis.get(c.name);
        const started = slot?.proc?.isRunning() ?? false;
        // A server that failed to start (or died) is a container that is not running.
        if (slot && !started && (startMode === 'eager' || slot.error !== undefined || slot.proc))
          return false;
        const probe = c.readinessProbe;
        if (!probe) continue;
        const timeoutMs = Math.max(2, probe.timeoutSeconds ?? 1) * 1000;
        const sink = () => undefined;
        const fast = probe.exec?.command
          ? await redisPingProbe(
              commandEnv(pod, c, { stdout: sink, stderr: sink }, undefined, false),
              probe.exec.command,
              timeoutMs,
            )
          : undefined;
        if (fast !== undefined) {
          if (!fast) return false;
        } else if (probe.exec?.command) {
          const ac = new AbortController();
          const timer = setTimeout(() => ac.abort(), timeoutMs);
          const r = await exec(
            pod,
            c.name,
            probe.exec.command,
            { stdout: sink, stderr: sink },
            ac.signal,
          ).finally(() => clearTimeout(timer));
          if (r.exitCode !== 0 || ac.signal.aborted) return false;
        } else if (probe.tcpSocket) {
          const p = probe.tcpSocket.port;
          const portNum = typeof p === 'number' ? p : c.ports?.find((cp) => cp.name === p)?.containerPort;
          // Containers of a pod share its network: the probe connects to whichever container
          // listens on that port, and fails when none does (only Redis servers listen here).
          const listener = [...entry.redis.values()].find((s) => s.containerPort === portNum);
          if (!listener || listener.error !== undefined) return false;
          const lp = listener.proc;
          if (lp?.isRunning()) {
            if (!(await tcpConnects(lp.port, timeoutMs))) return false;
          } else if (startMode === 'eager' || lp) return false;
        } else if (probe.httpGet && slot) {
          return false; // Redis does not answer HTTP
        }
      }
      return true;
    },

    async stop(pod, gracePeriodSeconds) {
      const entry = entries.get(pod.metadata.uid);
      if (!entry) return;
      if (!entry.stopping) {
        // The kubelet never gives a container less than 2 s between SIGTERM and SIGKILL.
        const graceMs = Math.max(2, gracePeriodSeconds) * 1000;
        entry.stopping = (async () => {
          await Promise.all(
            [...entry.redis.values()].map(async (slot) => {
              const proc = slot.proc ?? (await slot.starting);
              await proc?.stop(graceMs);
            }),
          );
          for (const dir of entry.ephemeral) rmSync(path.dirname(dir), { recursive: true, force: true });
          entries.delete(pod.metadata.uid);
        })();
      }
      await entry.stopping;
    },

    exec: (pod, container, command, io, signal) => exec(pod, container, command, io, signal),

    execTty: exec,

    async close() {
      closed = true;
      await Promise.all([...entries.values()].map((e) => runtime.stop(e.pod, 2)));
    },

    redisContainers(podUid) {
      const entry = entries.get(podUid);
      if (!entry) return [];
      return [...entry.redis.values()].map((s) => ({
        container: s.container,
        pid: s.proc?.pid ?? -1,
        port: s.proc?.port ?? -1,
        containerPort: s.containerPort,
        dir: s.dir,
        backing: s.backing,
        running: s.proc?.isRunning() ?? false,
      }));
    },

    pids() {
      const out: number[] = [];
      for (const e of entries.values())
        for (const s of e.redis.values()) if (s.proc?.isRunning()) out.push(s.proc.pid);
      return out;
    },

    volumeBacking(pod, container, mountPath = '/data') {
      const c = container ? containerOf(pod, container) : podContainers(pod)[0];
      return c ? volumeBacking(view, dataDir, pod, c, mountPath) : { kind: 'none' };
    },

    logs(podUid, container) {
      const entry = entries.get(podUid);
      const slot = entry
        ? container
          ? entry.redis.get(container)
          : [...entry.redis.values()][0]
        : undefined;
      if (!slot) return [];
      return [...(slot.proc?.logTail() ?? []), ...(slot.error ? [slot.error] : [])];
    },
  };
  return runtime;
}

/** Run an exec with TTY formatting when the runtime supports it (redis-cli then quotes replies). */
export function execWithTty(
  runtime: PodRuntime,
  pod: KubeObject,
  container: string,
  command: string[],
  io: ExecIO,
  signal: AbortSignal | undefined,
  tty: boolean,
): Promise<ExecOutcome> {
  if ('execTty' in runtime && typeof runtime.execTty === 'function')
    return (runtime as SimPodRuntime).execTty(pod, container, command, io, signal, tty);
  return runtime.exec(pod, container, command, io, signal);
}

/**
 * The redis-server binary to run pods with: $REDIS_SERVER when set (and only it, so a missing one
 * falls back to no Redis rather than silently using another), else Debian's or /usr/local's.
 */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.REDIS_SERVER
    ? [env.REDIS_SERVER]
    : ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];
  return candidates.find((p) => existsSync(p));
}

// startStack(): the whole product on one machine for the demo and the e2e tests. kube-sim (with
// real redis-server pods) and a generated class run in this process; the api, the worker and the
// web app run as child processes, each in its own process group so stop(), Ctrl-C and a crash of
// this process take all of them down (children also get SIGTERM if this process dies, via
// setpriv --pdeathsig where util-linux has it). Once started, a child that exits on its own is
// restarted, as a process supervisor would (with a growing pause; after 5 exits within 5 minutes
// the stack gives up and `crashed` resolves).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createPrisma,
  defaultEmbeddedDataDir,
  lockFileFor,
  migrate,
  openDatabase,
  type OpenedDatabase,
} from '@kubegrade/db';
import { NullRuntime, type Mistake } from '@kubegrade/kube-sim';
import { httpClient } from '@kubegrade/api/client';
import { startRealClass, type RealClass } from './real-class.ts';
import {
  findRedisServer,
  loadGeneratedClass,
  startSimCluster,
  waitForReady,
  type Lab,
  type SimCluster,
} from './sim-cluster.ts';

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** A sign-in the stack created. */
export interface Login {
  email: string;
  password: string;
}

/** A seeded student and the state of their namespace. */
export interface StudentLogin extends Login {
  name: string;
  namespace: string;
  /** The mistake generated into their namespace; null = complete and correct. */
  mistake: Mistake | null;
}

/** Options of startStack. */
export interface StackOptions {
  /** A postgres:// URL; else the embedded PGlite server on `dataDir` (.data/pglite). */
  databaseUrl?: string;
  /** Where the embedded database lives when databaseUrl is unset (default <repo>/.data/pglite). */
  dataDir?: string;
  /** Number of students (default 30). */
  students?: number;
  /** Which mistake each student carries, cycled (null = correct); default demoSpread(students). */
  spread?: readonly (Mistake | null)[];
  /** The lab the class is generated for (default redis-exist-pvc, lab B). */
  lab?: Lab;
  /** Ports (0 or unset = a free one). */
  ports?: { api?: number; web?: number; kubeSim?: number };
  /** Start the web app (default true). Builds it first when apps/web/.next is missing. */
  web?: boolean;
  /** Regrade every student once and wait for the results (default false). */
  gradeAll?: boolean | { disruptive: boolean };
  /** Create a regrade webhook scoped to every namespace (default false). */
  webhook?: boolean;
  /** Child process logs go here (default <repo>/.data/logs). */
  logDir?: string;
  /** Progress messages (default: none). */
  log?: (line: string) => void;
  /** Extra environment for the api and worker (e.g. GRADE_TIME_MULTIPLIER, COOLDOWN_BURST). */
  env?: Record<string, string>;
  /**
   * Where the class lives: `sim` (default) is kube-sim; `real` is the single-node cluster of
   * packages/cluster (root and Go needed; at most REAL_CLUSTER_MAX_STUDENTS students).
   */
  cluster?: 'sim' | 'real';
}

/** A running stack. */
export interface Stack {
  webUrl: string | null;
  apiUrl: string;
  databaseUrl: string;
  /** A kubeconfig file for the cluster (kubectl --kubeconfig ... get pods -A). */
  kubeconfig: string;
  /** kube-sim, when the stack runs on it (not with `cluster: 'real'`). */
  cluster?: SimCluster;
  lab: Lab;
  logins: { instructor: Login; admin: Login; students: StudentLogin[] };
  webhook: { url: string; secret: string } | null;
  /** Where the api, worker and web write their logs. */
  logDir: string;
  /** What fell back because a real part is missing (e.g. redis-server), for the user to read. */
  fallbacks: string[];
  /** Resolves when a child keeps exiting on its own and is no longer restarted: with its name and last exit. */
  crashed: Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops every child process (SIGTERM to its group, SIGKILL after 10 s), kube-sim and the database. */
  stop(): Promise<void>;
}

/** Raised when a part of the stack cannot start; says which and where its log is. */
export class StackStartError extends Error {
  override readonly name = 'StackStartError';
}

/**
 * A realistic class for `n` students: about half correct, two of each common mistake, a few
 * half-done namespaces; the order is mixed so the scoreboard does not look sorted.
 */
export function demoSpread(n: number): (Mistake | null)[] {
  const common: Mistake[] = [
    'claimref-wrong-namespace',
    'missing-storageclassname',
    'servicename-mismatch',
    'emptydir-instead-of-claim',
    'stale-claimref',
  ];
  const rare: Mistake[] = ['readiness-never-passes', 'no-service', 'service-not-headless'];
  const wrong: Mistake[] = [];
  const perCommon = n >= 20 ? 2 : 1;
  for (const m of common) for (let i = 0; i < perCommon; i++) wrong.push(m);
  if (n >= 20) wrong.push(...rare);
  const halfDone = Math.max(1, Math.round(n / 10));
  for (let i = 0; i < halfDone; i++) wrong.push('half-done');
  const mistakes = wrong.slice(0, Math.max(0, n - Math.ceil(n / 2)));
  const out: (Mistake | null)[] = Array.from({ length: n }, () => null);
  // Spread the mistakes evenly from the second student on (student 1 stays correct).
  mistakes.forEach((m, i) => {
    out[1 + Math.floor((i * (n - 1)) / mistakes.length)] = m;
  });
  return out;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** A child process in its own process group, logging to a file. */
interface Child {
  name: string;
  proc: ChildProcess;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<Child>();
let exitHookInstalled = false;
// Set by stopChildren(): nothing is restarted any more.
let shuttingDown = false;

/** Sends `signal` to every process of the child's group; false when none is left. */
function killGroup(c: Child, signal: NodeJS.Signals): boolean {
  if (!c.proc.pid) return false;
  try {
    process.kill(-c.proc.pid, signal);
    return true;
  } catch {
    return false;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever ends this process (an uncaught error included), its children's groups go with it.
  process.on('exit', () => {
    for (const c of children) killGroup(c, 'SIGKILL');
  });
}

/** Starts `node --import tsx <args>` (or any command) as a child in its own process group. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logDir: string; appendLog?: boolean },
): Child {
  installExitHook();
  const logFile = join(opts.logDir, `${name}.log`);
  // A restarted child appends, so the log still shows why the previous one exited.
  const out = createWriteStream(logFile, { flags: opts.appendLog ? 'a' : 'w' });
  const argv = SETPRIV ? [SETPRIV, '--pdeathsig', 'SIGTERM', '--', command, ...args] : [command, ...args];
  const proc = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.pipe(out, { end: false });
  proc.stderr?.pipe(out, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    proc.once('exit', (code, signal) => {
      out.end();
      res({ code, signal });
    });
    proc.once('error', (err) => {
      out.write(`could not start ${name}: ${err.message}\n`);
      out.end();
      res({ code: 127, signal: null });
    });
  });
  const child: Child = { name, proc, logFile, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** SIGTERM to the group, SIGKILL after `graceMs`, and wait for the exit. */
async function stopChild(c: Child, graceMs = 10_000): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) {
    killGroup(c, 'SIGKILL'); // grandchildren of an exited leader
    return;
  }
  killGroup(c, 'SIGTERM');
  const timer = setTimeout(() => killGroup(c, 'SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
  killGroup(c, 'SIGKILL');
}

/** Stops every child any startStack() in this process started (for Ctrl-C while a stack is still starting). */
export async function stopChildren(): Promise<void> {
  shuttingDown = true;
  await Promise.all([...children].map((c) => stopChild(c)));
}

/** Restart policy of supervise(). */
export interface SuperviseOptions {
  log?: (line: string) => void;
  /** Restarts allowed within `windowMs` before giving up (default 5 in 5 minutes). */
  maxRestarts?: number;
  windowMs?: number;
  /** The pause before the n-th restart in the window (default 1 s, doubling, at most 30 s). */
  backoffMs?: (n: number) => number;
}

/** A child that is started again whenever it exits on its own. */
export interface Supervised {
  name: string;
  /** The instance running now (a new one after each restart). */
  current(): Child;
  /** How many times it was restarted. */
  restarts(): number;
  /** Resolves when it gave up restarting: the last exit. */
  gaveUp: Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops it for good (no restart). */
  stop(graceMs?: number): Promise<void>;
}

function describeExit(e: { code: number | null; signal: NodeJS.Signals | null }): string {
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}

/** Runs `start()` and starts it again when the child exits on its own, as a process supervisor would. */
export function supervise(
  name: string,
  start: (restart: number) => Child,
  options: SuperviseOptions = {},
): Supervised {
  const log = options.log ?? (() => {});
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const backoff = options.backoffMs ?? ((n: number) => Math.min(30_000, 1000 * 2 ** n));
  let child = start(0);
  let stopping = false;
  let total = 0;
  let recent: number[] = [];
  let giveUp!: (e: { name: string; code: number | null; signal: NodeJS.Signals | null }) => void;
  const gaveUp = new Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>(
    (res) => (giveUp = res),
  );
  const watch = (c: Child) => {
    void c.exited.then(async (e) => {
      if (stopping || shuttingDown || c !== child) return;
      killGroup(c, 'SIGKILL'); // whatever the exited leader left behind
      const now = Date.now();
      recent = recent.filter((t) => now - t < windowMs);
      if (recent.length >= maxRestarts) {
        log(
          `${name} exited (${describeExit(e)}) ${maxRestarts + 1} times within ${Math.round(windowMs / 1000)} s; not restarting it again (log: ${c.logFile})`,
        );
        giveUp({ name, ...e });
        return;
      }
      const wait = backoff(recent.length);
      recent.push(now);
      log(
        `${name} exited unexpectedly (${describeExit(e)}); restarting it in ${wait} ms (log: ${c.logFile})`,
      );
      await new Promise((r) => setTimeout(r, wait));
      if (stopping || shuttingDown) return;
      total += 1;
      child = start(total);
      watch(child);
    });
  };
  watch(child);
  return {
    name,
    current: () => child,
    restarts: () => total,
    gaveUp,
    async stop(graceMs) {
      stopping = true;
      await stopChild(child, graceMs);
    },
  };
}

/** Polls `url` until it answers 2xx, the child exits, or the deadline passes. */
async function waitForHttp(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  let last = '';
  while (Date.now() < deadline) {
    if (exited)
      throw new StackStartError(
        `${child.name} exited during start (code ${child.proc.exitCode}); see ${child.logFile}`,
      );
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new StackStartError(
    `${child.name} did not answer ${url} within ${timeoutMs / 1000} s (last: ${last}); see ${child.logFile}`,
  );
}

const TSX = ['--import', 'tsx'];

/** Mistakes that leave the student's pods Ready (the Service or the volume is wrong, not the claim). */
const READY_DESPITE = new Set<Mistake>([
  'servicename-mismatch',
  'no-service',
  'service-not-headless',
  'emptydir-instead-of-claim',
]);

function password(): string {
  return randomBytes(9).toString('base64url');
}

/** Starts kube-sim + class, database (migrated and seeded), api, worker and (optionally) web. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => {});
  const lab: Lab = options.lab ?? 'redis-exist-pvc';
  const n = options.students ?? 30;
  const spread = options.spread ?? demoSpread(n);
  const logDir = options.logDir ?? join(ROOT, '.data/logs');
  mkdirSync(logDir, { recursive: true });
  const fallbacks: string[] = [];
  const started: Supervised[] = [];
  let cluster: SimCluster | undefined;
  let real: RealClass | undefined;
  let db: OpenedDatabase | undefined;

  const stopAll = async () => {
    await Promise.all(started.map((c) => c.stop()));
    await cluster?.stop();
    await real?.stop();
    await db?.close();
  };

  try {
    // 1. The cluster (kube-sim, or the real one) and the class.
    let spec: Awaited<ReturnType<typeof loadGeneratedClass>>;
    let kube: {
      kubeconfig: string;
      waitForReady(namespaces: readonly string[], timeoutMs: number): Promise<void>;
    };
    if (options.cluster === 'real') {
      real = await startRealClass({ lab, students: n, mistakes: spread, log });
      spec = real.spec;
      kube = real;
      log(`real cluster: ${real.url}, ${n} student namespaces for lab ${lab}`);
    } else {
      const redis = findRedisServer();
      if (!redis)
        fallbacks.push(
          'redis-server not found: pods run with no Redis inside (kube-sim NullRuntime), so the DNS and data-persistence checks report that they could not run. Install redis-server for the full demo.',
        );
      const sim = await startSimCluster({
        sim: { port: options.ports?.kubeSim ?? 0 },
        ...(redis ? {} : { wrapRuntime: () => new NullRuntime() }),
      });
      cluster = sim;
      spec = await loadGeneratedClass(sim.sim, {
        lab,
        students: n,
        mistakes: spread,
        namespacePrefix: 'student-',
      });
      kube = {
        kubeconfig: sim.kubeconfig,
        waitForReady: (namespaces, ms) => waitForReady(sim.sim, namespaces, ms),
      };
      log(`kube-sim: ${sim.sim.url}, ${n} student namespaces for lab ${lab}`);
    }

    // 2. The database, migrated and seeded.
    db = await openDatabase({
      env: options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {},
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    await migrate(db.url);
    const instructor: Login = { email: 'instructor@demo.kubegrade.dev', password: password() };
    const admin: Login = { email: 'admin@demo.kubegrade.dev', password: password() };
    const students: StudentLogin[] = spec.students.map((s, i) => ({
      email: `${s.namespace}@demo.kubegrade.dev`,
      name: `Student ${String(i + 1).padStart(2, '0')}`,
      password: password(),
      namespace: s.namespace,
      mistake: s.mistake,
    }));
    {
      const { seed } = await import('@kubegrade/api');
      const prisma = createPrisma(db.url, { max: 1 });
      try {
        await seed(prisma, {
          courseSlug: 'demo',
          courseName: 'Kubernetes storage and StatefulSet (demo)',
          instructor: { ...instructor, name: 'Demo Instructor' },
          admin: { ...admin, name: 'Demo Admin' },
          students: students.map((s, i) => ({
            email: s.email,
            name: s.name,
            studentId: `2026${String(i + 1).padStart(3, '0')}`,
            namespace: s.namespace,
            password: s.password,
          })),
        });
      } finally {
        await prisma.$disconnect();
      }
    }
    const where =
      db.source === 'DATABASE_URL'
        ? 'DATABASE_URL'
        : `embedded PGlite on ${new URL(db.url).host}, superuser password generated for this run (only in the URL the api and worker get, and in ${lockFileFor(options.dataDir ?? defaultEmbeddedDataDir)}, readable only by you)`;
    log(`database: ${where}; seeded ${students.length} students`);

    // 3. api, worker, web.
    const apiPort = options.ports?.api || (await freePort());
    const webPort = options.ports?.web || (await freePort());
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const webUrl = options.web === false ? null : `http://127.0.0.1:${webPort}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: db.url,
      API_PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      PUBLIC_URL: webUrl ?? 'http://localhost:3000',
      API_PUBLIC_URL: apiUrl,
      KUBECONFIG: kube.kubeconfig,
      KUBE_IN_CLUSTER: 'false',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      NEXT_TELEMETRY_DISABLED: '1',
      // The web app (on this machine) is the api's one proxy; it sets X-Forwarded-For itself.
      TRUST_PROXY: 'loopback',
      ...options.env,
    };
    const supervision: SuperviseOptions = { log };
    const apiSup = supervise(
      'api',
      (n) =>
        startChild('api', process.execPath, [...TSX, 'apps/api/src/main.ts'], {
          cwd: ROOT,
          env,
          logDir,
          appendLog: n > 0,
        }),
      supervision,
    );
    started.push(apiSup);
    const api = apiSup.current();
    started.push(
      supervise(
        'worker',
        (n) =>
          startChild('worker', process.execPath, [...TSX, 'apps/worker/src/main.ts'], {
            cwd: ROOT,
            env,
            logDir,
            appendLog: n > 0,
          }),
        supervision,
      ),
    );
    let web: Child | undefined;
    if (webUrl) {
      const webDir = join(ROOT, 'apps/web');
      const nextBin = join(ROOT, 'node_modules/next/dist/bin/next');
      if (!existsSync(join(webDir, '.next/BUILD_ID'))) {
        log('web: apps/web/.next is missing, building it first (next build, a few minutes)');
        const b = spawnSync(process.execPath, [nextBin, 'build'], {
          cwd: webDir,
          env: { ...env, NODE_ENV: 'production' },
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
        });
        if (b.status !== 0)
          throw new StackStartError(
            `next build failed (exit ${b.status}):\n${(b.stderr || b.stdout).slice(-3000)}`,
          );
      }
      const webSup = supervise(
        'web',
        (n) =>
          startChild('web', process.execPath, [nextBin, 'start', '-p', String(webPort), '-H', '127.0.0.1'], {
            cwd: webDir,
            env: {
              ...env,
              NODE_ENV: 'production',
              API_URL: apiUrl,
              API_PUBLIC_PORT: String(apiPort),
              PORT: String(webPort),
            },
            logDir,
            appendLog: n > 0,
          }),
        supervision,
      );
      started.push(webSup);
      web = webSup.current();
    }
    await waitForHttp(`${apiUrl}/readyz`, api, 120_000);
    log(`api: ${apiUrl}`);
    if (web && webUrl) {
      await waitForHttp(`${webUrl}/login`, web, 120_000);
      log(`web: ${webUrl}`);
    }

    const crashed = Promise.race(started.map((c) => c.gaveUp));

    // 4. Optional: a webhook and one grading of everyone.
    let webhook: Stack['webhook'] = null;
    if (options.webhook || options.gradeAll) {
      const client = httpClient(apiUrl);
      await client.signIn(admin.email, admin.password);
      if (options.webhook) {
        const d = await client.graphql<{ createWebhook: { webhook: { url: string }; secret: string } }>(
          'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { url } secret } }',
          { input: { name: `demo ${new Date().toISOString()}`, scopeKind: 'ALL' } },
        );
        webhook = { url: d.createWebhook.webhook.url, secret: d.createWebhook.secret };
      }
      if (options.gradeAll) {
        const disruptive = typeof options.gradeAll === 'object' ? options.gradeAll.disruptive : true;
        // Grading needs the pods Ready first, or the first results would be "not ready yet".
        // (Only namespaces whose pods can become Ready: an unbound claim keeps its pod Pending.)
        const canBeReady = spec.students
          .filter((s) => s.mistake === null || READY_DESPITE.has(s.mistake))
          .map((s) => s.namespace);
        await kube.waitForReady(canBeReady, 180_000);
        const d = await client.graphql<{ regrade: { runs: { id: string }[] } }>(
          'mutation($lab: ID!, $d: Boolean) { regrade(labId: $lab, all: true, disruptive: $d) { runs { id } } }',
          { lab, d: disruptive },
        );
        const ids = d.regrade.runs.map((r) => r.id);
        log(`grading ${ids.length} namespaces...`);
        await waitForRuns(db.url, ids, 600_000, crashed);
      }
    }

    return {
      webUrl,
      apiUrl,
      databaseUrl: db.url,
      kubeconfig: kube.kubeconfig,
      cluster,
      lab,
      logins: { instructor, admin, students },
      webhook,
      logDir,
      fallbacks,
      crashed,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

/** Waits until none of the runs is QUEUED or RUNNING. */
async function waitForRuns(
  databaseUrl: string,
  ids: string[],
  timeoutMs: number,
  crashed: Promise<{ name: string; code: number | null }>,
): Promise<void> {
  const prisma = createPrisma(databaseUrl, { max: 1 });
  let dead: { name: string; code: number | null } | null = null;
  void crashed.then((c) => (dead = c));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open = await prisma.gradingRun.count({
        where: { id: { in: ids }, status: { in: ['QUEUED', 'RUNNING'] } },
      });
      if (open === 0) return;
      if (dead) throw new StackStartError(`${(dead as { name: string }).name} exited while grading`);
      if (Date.now() > deadline)
        throw new StackStartError(
          `${open} of ${ids.length} runs still unfinished after ${timeoutMs / 1000} s`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await prisma.$disconnect();
  }
}

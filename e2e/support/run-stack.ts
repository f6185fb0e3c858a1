// The e2e stack, run by global-setup.ts in a child process: a fresh database on the real PostgreSQL
// server (PG_TEST_URL), kube-sim with a generated class, and the api, worker and built web app as
// the processes they are in production. Prints one `KUBEGRADE_STACK <json>` line when ready and
// stops everything on SIGTERM or when its stdin closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@kubegrade/db';
import { seed } from '../../apps/api/src/seed.ts';
import {
  loadGeneratedClass,
  startSimCluster,
  waitForReady,
  type SimCluster,
} from '../../scripts/sim-cluster.ts';
import type { Account, StackInfo } from './stack-info.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAB = 'redis-exist-pvc';
const PASSWORD = 'e2e-password-1';
const READY_TIMEOUT_MS = 180_000;

const students = {
  correctStudent: {
    email: 'correct@example.edu',
    name: 'Chen Correct',
    namespace: 'e2e-correct',
    mistake: null,
  },
  mismatchStudent: {
    email: 'mismatch@example.edu',
    name: 'Ma Mismatch',
    namespace: 'e2e-mismatch',
    mistake: 'servicename-mismatch',
  },
  liveStudent: { email: 'live@example.edu', name: 'Li Live', namespace: 'e2e-live', mistake: null },
} as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHttp(url: string, what: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`${what} did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function start(name: string, args: string[], env: Record<string, string>, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      process.stderr.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  let db: TestDatabase | null = null;
  let cluster: SimCluster | null = null;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
              c.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              c.kill('SIGTERM');
            }),
        ),
      );
      await cluster?.stop().catch(() => {});
      await db?.drop().catch(() => {});
    })());
  process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
  process.on('SIGINT', () => void stop().then(() => process.exit(0)));
  process.stdin.on('end', () => void stop().then(() => process.exit(0)));
  process.stdin.resume();

  try {
    db = await createTestDatabase();
    cluster = await startSimCluster();
    const list = Object.values(students);
    await loadGeneratedClass(cluster.sim, {
      lab: LAB,
      students: list.length,
      namespaces: list.map((s) => s.namespace),
      mistakes: list.map((s) => s.mistake),
    });
    await waitForReady(
      cluster.sim,
      list.map((s) => s.namespace),
      READY_TIMEOUT_MS,
    );

    const staff = {
      instructor: { email: 'teacher@example.edu', name: 'Teacher Wang', password: PASSWORD },
      admin: { email: 'admin@example.edu', name: 'Admin Zhao', password: PASSWORD },
    };
    await seed(db.prisma, {
      courseSlug: 'k8s-storage',
      courseName: 'Kubernetes storage',
      instructor: staff.instructor,
      admin: staff.admin,
      students: list.map((s, i) => ({
        email: s.email,
        name: s.name,
        namespace: s.namespace,
        password: PASSWORD,
        studentId: `E2E00${i + 1}`,
      })),
    });

    const [apiPort, webPort] = [await freePort(), await freePort()];
    const webUrl = `http://127.0.0.1:${webPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // Two grades in a row, then a long wait: the second click shows the cooldown.
    const cooldown = { COOLDOWN_BURST: '2', COOLDOWN_RATE_PER_MINUTE: '0.5' };
    const common = { DATABASE_URL: db.url, LOG_LEVEL: 'warn', ...cooldown };

    const api = start('api', ['--import', 'tsx', 'apps/api/src/main.ts'], {
      ...common,
      API_PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      PUBLIC_URL: webUrl,
    });
    children.push(api);
    const worker = start('worker', ['--import', 'tsx', 'apps/worker/src/main.ts'], {
      ...common,
      KUBECONFIG: cluster.kubeconfig,
      WORKER_CONCURRENCY: '2',
      WORKER_POLL_SECONDS: '0.5',
    });
    children.push(worker);
    await waitForHttp(`${apiUrl}/readyz`, 'the api', api);
    const web = start(
      'web',
      [
        fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url)),
        'start',
        '-p',
        String(webPort),
        '-H',
        '127.0.0.1',
      ],
      {
        API_URL: apiUrl,
        API_PUBLIC_PORT: String(apiPort),
        NEXT_TELEMETRY_DISABLED: '1',
      },
      fileURLToPath(new URL('../../apps/web', import.meta.url)),
    );
    children.push(web);
    await waitForHttp(`${webUrl}/login`, 'the web app', web);

    const account = (s: (typeof students)[keyof typeof students]): Account => ({
      email: s.email,
      name: s.name,
      password: PASSWORD,
      namespace: s.namespace,
    });
    const info: StackInfo = {
      webUrl,
      apiUrl,
      labId: LAB,
      admin: staff.admin,
      instructor: staff.instructor,
      correctStudent: account(students.correctStudent),
      mismatchStudent: account(students.mismatchStudent),
      liveStudent: account(students.liveStudent),
    };
    process.stdout.write(`KUBEGRADE_STACK ${JSON.stringify(info)}\n`);
  } catch (err) {
    process.stderr.write(`e2e stack failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    await stop();
    process.exit(1);
  }
}

void main();

// A worker process killed mid-run (SIGKILL, no chance to clean up) has its run finished by another
// worker process; the survivor also shuts down cleanly on SIGTERM. Workers are real child processes
// running src/main.ts, configured through the environment like in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTopic, submitRun } from '@kubegrade/db';
import { until } from '@kubegrade/testkit';
import { FAST, LAB_ID, STS, record, startEnv, type Env } from './env.ts';

const NS = 'k-crash';
let env: Env;
const children = new Set<ChildProcess>();
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

beforeAll(async () => {
  env = await startEnv([NS]);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await env?.stop();
});

/** Starts `node --import tsx src/main.ts` with the test's database and kube-sim. */
function spawnWorker(name: string): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      DATABASE_URL: env.db.url,
      KUBECONFIG: env.kubeconfigFile,
      WORKER_CONCURRENCY: '1',
      GRADE_TIME_MULTIPLIER: String(FAST.timeMultiplier),
      WORKER_POLL_SECONDS: '0.5',
      WORKER_HEARTBEAT_SECONDS: String(FAST.heartbeatSeconds),
      WORKER_STALE_AFTER_SECONDS: String(FAST.staleAfterSeconds),
      WORKER_RECONCILE_SECONDS: '1',
      WORKER_SHUTDOWN_TIMEOUT_SECONDS: '5',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += `[${name} stderr] ${d.toString()}`));
  return { child, output: () => out };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

it('finishes the run of a worker killed during the persistence check in another worker', async () => {
  const s = env.students.get(NS)!;
  // The deleted pod comes back only after 5 s: the first worker is killed while it waits for it.
  env.sim.faults.set({ recreateDelayMs: 5000 });
  const { run } = await submitRun(
    env.db.prisma,
    {
      enrollmentId: s.enrollmentId,
      labId: LAB_ID,
      trigger: 'STUDENT',
      triggeredById: s.userId,
      disruptive: true,
    },
    { timeMultiplier: FAST.timeMultiplier, retryLimit: 2, retryDelaySeconds: 1 },
  );
  const progress = record(env.pubsub, runTopic(run.id));

  const a = spawnWorker('a');
  // A timeout names worker a's output, as the assertion this replaced did.
  await until(
    'worker a to start redis-persistence and delete the pod',
    () =>
      progress.events.some((e) => e.event === 'check-started' && e.checkId === 'redis-persistence') &&
      env.sim.view.get('pods', NS, `${STS}-0`) === undefined,
    { timeoutMs: 60_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${a.output()}`);
  });
  a.child.kill('SIGKILL');
  expect((await exited(a.child)).signal).toBe('SIGKILL');
  const orphaned = await env.db.prisma.gradingRun.findUniqueOrThrow({ where: { id: run.id } });
  expect(orphaned).toMatchObject({ status: 'RUNNING', attempts: 1 });
  env.sim.faults.clear();

  const b = spawnWorker('b');
  await until(
    'worker b to finish the run PASSED',
    async () =>
      (await env.db.prisma.gradingRun.findUniqueOrThrow({ where: { id: run.id } })).status === 'PASSED',
    { timeoutMs: 90_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${b.output()}`);
  });
  const done = await env.db.prisma.gradingRun.findUniqueOrThrow({
    where: { id: run.id },
    include: { checks: true },
  });
  expect(done).toMatchObject({ status: 'PASSED', score: 100, attempts: 2 });
  expect(done.checks.every((c) => c.status === 'PASS')).toBe(true);
  // The abandoned attempt was put back in line before the second began.
  const kinds = progress.events.map((e) => e.event);
  expect(kinds.filter((k) => k === 'started' || k === 'requeued' || k === 'finished')).toEqual([
    'started',
    'requeued',
    'started',
    'finished',
  ]);
  progress.stop();

  b.child.kill('SIGTERM');
  expect(await exited(b.child)).toEqual({ code: 0, signal: null });
  expect(b.output()).toMatch(/worker stopped/);
  // Never a secret in the logs: the database URL and the kube-sim token stay out.
  expect(a.output() + b.output()).not.toContain(env.sim.token);
  expect(a.output() + b.output()).not.toContain(env.db.url);
  // Two worker processes start (tsx compiles the workspace) on a shared 2-core machine.
}, 300_000);

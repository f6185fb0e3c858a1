// The worker in-process against real PostgreSQL and kube-sim: live per-check progress, one run per
// namespace, infrastructure errors retried then ERROR without costing the student, the lab's
// disruptive switch, and a graceful stop.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelRun, cooldownStatus, runTopic, scoreboardTopic, submitRun } from '@kubegrade/db';
import { startWorker, type Worker } from '../src/index.ts';
import { until } from '@kubegrade/testkit';
import { CHECKS, FAST, LAB_ID, labRow, record, startEnv, type Env } from './env.ts';

const NS = ['w-live', 'w-500', 'w-nodisrupt', 'w-stop', 'w-cancel'];
let env: Env;
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  env = await startEnv(NS);
});
afterAll(async () => {
  await env?.stop();
});

const queueOpts = { timeMultiplier: FAST.timeMultiplier, retryLimit: 1, retryDelaySeconds: 1 };
const run = (id: string) =>
  env.db.prisma.gradingRun.findUniqueOrThrow({
    where: { id },
    include: { checks: { orderBy: { position: 'asc' } } },
  });

async function withWorker<T>(fn: (w: Worker) => Promise<T>, concurrency = 2): Promise<T> {
  const w = await startWorker({
    databaseUrl: env.db.url,
    kube: env.kc,
    logger,
    concurrency,
    cooldown: { rate: 1, burst: 1 },
    ...FAST,
  });
  try {
    return await fn(w);
  } finally {
    await w.stop();
  }
}

describe('a student grading run', () => {
  it('streams each check as it finishes and ends PASSED with full marks; a second submission joins it', async () => {
    const s = env.students.get('w-live')!;
    const input = {
      enrollmentId: s.enrollmentId,
      labId: LAB_ID,
      trigger: 'STUDENT' as const,
      triggeredById: s.userId,
      disruptive: true,
    };
    const first = await submitRun(env.db.prisma, input, queueOpts);
    const second = await submitRun(env.db.prisma, input, queueOpts);
    expect(second).toMatchObject({ joined: true, run: { id: first.run.id } });

    const progress = record(env.pubsub, runTopic(first.run.id));
    const board = record(env.pubsub, scoreboardTopic(LAB_ID));
    // What a subscriber reads when each check-finished arrives: that check's stored verdict, kept in
    // the events' order (the reads of two events close together may answer in either order).
    const seenAtEvent: string[] = [];
    env.pubsub.on(runTopic(first.run.id), (m, done) => {
      const e = m.payload as { event: string; checkId?: string };
      if (e.event === 'check-finished') {
        const at = seenAtEvent.push('(reading)') - 1;
        void env.db.prisma.checkResult
          .findFirst({ where: { runId: first.run.id, checkId: e.checkId! } })
          .then((c) => (seenAtEvent[at] = `${c?.checkId}:${c?.status}`));
      }
      done();
    });

    await withWorker(async () => {
      await until('the first run PASSED', async () => (await run(first.run.id)).status === 'PASSED', {
        timeoutMs: 90_000,
      });
    });
    const done = await run(first.run.id);
    expect(done).toMatchObject({
      status: 'PASSED',
      score: 100,
      maxScore: 100,
      attempts: 1,
      errorDetail: null,
    });
    expect(done.checks.map((c) => [c.checkId, c.status, c.points])).toEqual([
      ['pv-claimref', 'PASS', 15],
      ['pvc-bound', 'PASS', 15],
      ['statefulset-ready', 'PASS', 25],
      ['headless-dns', 'PASS', 20],
      ['redis-persistence', 'PASS', 25],
    ]);
    await until(
      'every scoreboard event and the verdict read at each check-finished',
      () =>
        board.events.length >= CHECKS.length + 1 &&
        seenAtEvent.length === CHECKS.length &&
        !seenAtEvent.includes('(reading)'),
      { timeoutMs: 5000 },
    );
    // The submit's own 'queued' event may reach this listener (registered after submitRun returned) or
    // not, depending on timing; what the worker published follows it.
    const fromWorker = progress.events.filter((e, i) => !(i === 0 && e.event === 'queued'));
    expect(fromWorker.map((e) => (e.checkId ? `${e.event} ${e.checkId}` : e.event))).toEqual([
      'started',
      ...CHECKS.flatMap((c) => [`check-started ${c}`, `check-finished ${c}`]),
      'finished',
    ]);
    expect(seenAtEvent).toEqual(CHECKS.map((c) => `${c}:PASS`));
    // The scoreboard hears of each check as it finishes, then of the run.
    const ids = { runId: first.run.id, labId: LAB_ID, enrollmentId: s.enrollmentId };
    expect(board.events).toEqual([
      ...CHECKS.map((checkId) => ({ event: 'check-finished', ...ids, checkId })),
      { event: 'finished', ...ids },
    ]);
    expect(await env.db.prisma.gradingRun.count({ where: { namespace: 'w-live' } })).toBe(1);
    progress.stop();
    board.stop();
  });
});

describe('infrastructure errors', () => {
  it('retries an API 500, then ends ERROR with the reason and gives the student their token back', async () => {
    const s = env.students.get('w-500')!;
    env.sim.faults.set({ fail: [{ resource: 'persistentvolumeclaims', namespace: 'w-500', status: 500 }] });
    const cooldown = { userId: s.userId, rate: 1, burst: 1 };
    try {
      const { run: r } = await submitRun(
        env.db.prisma,
        {
          enrollmentId: s.enrollmentId,
          labId: LAB_ID,
          trigger: 'STUDENT',
          triggeredById: s.userId,
          disruptive: false,
          cooldown,
        },
        queueOpts,
      );
      expect((await cooldownStatus(env.db.prisma, s.userId, cooldown)).tokensAvailable).toBe(0);
      const progress = record(env.pubsub, runTopic(r.id));
      await withWorker(async () => {
        await until('the run ERROR', async () => (await run(r.id)).status === 'ERROR', { timeoutMs: 90_000 });
      });
      const ended = await run(r.id);
      expect(ended.attempts).toBe(2);
      expect(ended.errorDetail).toMatch(/infrastructure error after 2 attempt\(s\): pvc-bound: .*500/);
      expect(ended.checks.find((c) => c.checkId === 'pvc-bound')?.status).toBe('ERROR');
      // Between the attempts the run went back in line, never to a verdict.
      expect(
        progress.events
          .map((e) => e.event)
          .filter((e) => e === 'started' || e === 'requeued' || e === 'finished'),
      ).toEqual(['started', 'requeued', 'started', 'finished']);
      expect((await cooldownStatus(env.db.prisma, s.userId, cooldown)).tokensAvailable).toBe(1);
      progress.stop();
    } finally {
      env.sim.faults.clear();
    }
  });
});

describe('disruptive checks', () => {
  it('reads the lab from the labs table: an edited definition and disruptive checks turned off apply to the next run', async () => {
    const s = env.students.get('w-nodisrupt')!;
    const edited = labRow();
    const def = edited.definition as { version: string; checks: { id: string; points: number }[] };
    def.checks.find((c) => c.id === 'pv-claimref')!.points = 30;
    def.version = '2';
    await env.db.prisma.lab.update({
      where: { id: LAB_ID },
      data: { disruptiveEnabled: false, definition: edited.definition, version: '2' },
    });
    try {
      const { run: r } = await submitRun(
        env.db.prisma,
        { enrollmentId: s.enrollmentId, labId: LAB_ID, trigger: 'INSTRUCTOR', disruptive: true },
        queueOpts,
      );
      await withWorker(async () => {
        await until(
          'the run PASSED or FAILED',
          async () => ['PASSED', 'FAILED'].includes((await run(r.id)).status),
          { timeoutMs: 60_000 },
        );
      });
      const ended = await run(r.id);
      expect(ended.checks.find((c) => c.checkId === 'redis-persistence')).toMatchObject({
        status: 'SKIPPED',
        points: 0,
      });
      expect(ended.checks.find((c) => c.checkId === 'pv-claimref')).toMatchObject({
        status: 'PASS',
        points: 30,
        maxPoints: 30,
      });
      expect(ended).toMatchObject({ status: 'FAILED', score: 90, maxScore: 115, labVersion: '2' });
    } finally {
      await env.db.prisma.lab.update({
        where: { id: LAB_ID },
        data: { disruptiveEnabled: true, ...labRow() },
      });
    }
  });
});

describe('stopping', () => {
  it('releases a run it cannot finish before its shutdown timeout, back to QUEUED for another worker', async () => {
    const s = env.students.get('w-stop')!;
    // The pod comes back only after 60 s, so the persistence check outlasts the 5 s shutdown timeout.
    env.sim.faults.set({ recreateDelayMs: 60_000 });
    try {
      const { run: r } = await submitRun(
        env.db.prisma,
        { enrollmentId: s.enrollmentId, labId: LAB_ID, trigger: 'STUDENT', disruptive: true },
        queueOpts,
      );
      const w = await startWorker({ databaseUrl: env.db.url, kube: env.kc, logger, concurrency: 1, ...FAST });
      await until(
        'redis-persistence RUNNING',
        async () =>
          (await run(r.id)).checks.find((c) => c.checkId === 'redis-persistence')?.status === 'RUNNING',
        { timeoutMs: 60_000 },
      );
      await w.stop();
      const released = await run(r.id);
      expect(released.status).toBe('QUEUED');
      expect(released.errorDetail).toMatch(/shut down/);
      const job = await env.db.prisma.$queryRawUnsafe<{ state: string }[]>(
        `SELECT state::text FROM pgboss.job WHERE id = $1::uuid`,
        released.jobId,
      );
      expect(job[0]?.state).toBe('retry');
    } finally {
      env.sim.faults.clear();
    }
  });
});

describe('cancelling', () => {
  it('stops grading a run cancelled while it runs, and keeps it CANCELLED', async () => {
    const s = env.students.get('w-cancel')!;
    env.sim.faults.set({ recreateDelayMs: 60_000 });
    try {
      const { run: r } = await submitRun(
        env.db.prisma,
        { enrollmentId: s.enrollmentId, labId: LAB_ID, trigger: 'STUDENT', disruptive: true },
        queueOpts,
      );
      await withWorker(async (w) => {
        await until(
          'redis-persistence RUNNING',
          async () =>
            (await run(r.id)).checks.find((c) => c.checkId === 'redis-persistence')?.status === 'RUNNING',
          { timeoutMs: 60_000 },
        );
        await cancelRun(env.db.prisma, r.id);
        // The worker notices at its next heartbeat and lets the run go, well before the pod returns.
        await until('the worker to let the cancelled run go', () => w.activeRuns === 0, {
          timeoutMs: 10_000,
        });
      }, 1);
      const ended = await run(r.id);
      expect(ended.status).toBe('CANCELLED');
      expect(ended.checks.find((c) => c.checkId === 'redis-persistence')).toMatchObject({
        status: 'SKIPPED',
        message: 'not run: the run was cancelled',
      });
      expect(ended.checks.find((c) => c.checkId === 'pv-claimref')?.status).toBe('PASS');
    } finally {
      env.sim.faults.clear();
    }
  });
});

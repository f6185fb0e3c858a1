// The worker-side writes (fenced by attempt) and the reconciler that repairs runs a dead worker
// left behind, on real PostgreSQL with pg-boss.
import type PgBoss from 'pg-boss';
import { expect, it } from 'vitest';
import {
  GRADE_QUEUE,
  beginAttempt,
  cancelRun,
  cooldownStatus,
  createPubSub,
  errorRun,
  finishRun,
  heartbeat,
  markCheckStarted,
  reconcileRuns,
  recordCheckResult,
  scoreboardTopic,
  submitRun,
  type TestDatabase,
} from '../../src/index.ts';
import { PLANNED, RUN_META, checkOutcome, seed, useQueueDatabase } from './fixtures.ts';

let t: TestDatabase;
let boss: PgBoss;
useQueueDatabase((db, b) => {
  t = db;
  boss = b;
});

const pass = (id: string, points: number) =>
  checkOutcome(id, 'pass', points, { message: 'ok', evidence: { found: id } });

async function queued(i: number, retryLimit = 2) {
  const { students } = await seed(t.prisma, 1, [`lab-${i}`]);
  const s = students[0]!;
  const { run } = await submitRun(
    t.prisma,
    {
      enrollmentId: s.enrollment.id,
      labId: `lab-${i}`,
      trigger: 'STUDENT',
      triggeredById: s.user.id,
      disruptive: true,
    },
    { retryLimit, retryDelaySeconds: 1 },
  );
  return { run, user: s.user };
}

it('records a run check by check and ends it with its score; a second attempt is fenced out of the first', async () => {
  const { run } = await queued(1);
  const first = await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META);
  expect(first?.attempt).toBe(1);
  expect(
    await t.prisma.checkResult.findMany({
      where: { runId: run.id },
      orderBy: { position: 'asc' },
      select: { checkId: true, status: true },
    }),
  ).toEqual([
    { checkId: 'one', status: 'PENDING' },
    { checkId: 'two', status: 'PENDING' },
  ]);
  expect(await markCheckStarted(t.prisma, first!, 'one')).toBe(true);
  const running = await t.prisma.checkResult.findFirst({ where: { runId: run.id, checkId: 'one' } });
  expect(running).toMatchObject({ status: 'RUNNING', finishedAt: null });
  expect(running?.startedAt).toBeInstanceOf(Date);
  expect(await recordCheckResult(t.prisma, first!, pass('one', 40))).toBe(true);
  expect(await t.prisma.checkResult.findFirst({ where: { runId: run.id, checkId: 'one' } })).toMatchObject({
    status: 'PASS',
    points: 40,
    evidence: { found: 'one' },
  });

  // The job is handed to another worker (this one presumed dead): attempt 2 starts over.
  const second = await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META);
  expect(second?.attempt).toBe(2);
  expect(await recordCheckResult(t.prisma, first!, pass('two', 60))).toBe(false);
  expect(await markCheckStarted(t.prisma, first!, 'two')).toBe(false);
  expect(await t.prisma.checkResult.findFirst({ where: { runId: run.id, checkId: 'two' } })).toMatchObject({
    status: 'PENDING',
    startedAt: null,
  });
  expect(await heartbeat(t.prisma, first!)).toBe('lost');
  expect(await finishRun(t.prisma, first!, { status: 'PASSED', score: 100, maxScore: 100, checks: [] })).toBe(
    false,
  );

  expect(
    await finishRun(t.prisma, second!, {
      status: 'FAILED',
      score: 40,
      maxScore: 100,
      checks: [pass('one', 40), { ...pass('two', 0), status: 'fail', maxPoints: 60 }],
    }),
  ).toBe(true);
  expect(await t.prisma.gradingRun.findUnique({ where: { id: run.id } })).toMatchObject({
    status: 'FAILED',
    score: 40,
    attempts: 2,
  });
});

it("a check keeps its own finishedAt when the run finishes; a check never recorded gets the run's", async () => {
  const { run } = await queued(11);
  const a = (await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META))!;
  await recordCheckResult(t.prisma, a, pass('one', 40));
  const own = (await t.prisma.checkResult.findFirstOrThrow({ where: { runId: run.id, checkId: 'one' } }))
    .finishedAt;
  // Let the clock move on, so the run's end is a different millisecond from the check's.
  await new Promise((r) => setTimeout(r, 20));
  await finishRun(t.prisma, a, {
    status: 'PASSED',
    score: 100,
    maxScore: 100,
    checks: [pass('one', 40), pass('two', 60)],
  });
  const ended = await t.prisma.gradingRun.findUniqueOrThrow({ where: { id: run.id } });
  const checks = await t.prisma.checkResult.findMany({
    where: { runId: run.id },
    orderBy: { position: 'asc' },
  });
  expect(
    checks.map((c) => ({ id: c.checkId, status: c.status, finishedAt: c.finishedAt?.toISOString() })),
  ).toEqual([
    { id: 'one', status: 'PASS', finishedAt: own!.toISOString() },
    { id: 'two', status: 'PASS', finishedAt: expect.any(String) },
  ]);
  expect(own!.getTime()).toBeLessThan(ended.finishedAt!.getTime());
  expect(checks[1]!.finishedAt!.getTime()).toBeGreaterThan(own!.getTime());
});

it('a scoreboard subscriber hears of each finished check while the run is still running, and the read model shows it', async () => {
  const { run } = await queued(12);
  const ps = await createPubSub(t.url);
  try {
    const seen: { event: string; checkId?: string; cell: unknown; runStatus: string }[] = [];
    let heard!: () => void;
    const first = new Promise<void>((r) => (heard = r));
    ps.on(scoreboardTopic(run.labId), (m) => {
      const e = m.payload as { event: string; checkId?: string; enrollmentId: string };
      void (async () => {
        const [entry, current] = await Promise.all([
          t.prisma.scoreboardEntry.findUniqueOrThrow({
            where: { labId_enrollmentId: { labId: run.labId, enrollmentId: e.enrollmentId } },
          }),
          t.prisma.gradingRun.findUniqueOrThrow({ where: { id: run.id } }),
        ]);
        seen.push({
          event: e.event,
          checkId: e.checkId,
          cell: (entry.cells as Record<string, unknown>).one,
          runStatus: current.status,
        });
        heard();
      })();
    });
    await ps.ready();
    const a = (await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META))!;
    await recordCheckResult(t.prisma, a, pass('one', 40));
    await first;
    expect(seen[0]).toEqual({
      event: 'check-finished',
      checkId: 'one',
      cell: { status: 'PASS', points: 40 },
      runStatus: 'RUNNING',
    });
    // Leave no running run behind for the reconciler test.
    await finishRun(t.prisma, a, {
      status: 'FAILED',
      score: 40,
      maxScore: 100,
      checks: [pass('one', 40), { ...pass('two', 0), status: 'fail', maxPoints: 60 }],
    });
  } finally {
    await new Promise<void>((r) => ps.close(() => r()));
  }
});

it('tells a running worker that its run was cancelled', async () => {
  const { run } = await queued(2);
  const a = await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META);
  expect(await heartbeat(t.prisma, a!)).toBe('ok');
  await cancelRun(t.prisma, run.id);
  expect(await heartbeat(t.prisma, a!)).toBe('cancelled');
  expect(await recordCheckResult(t.prisma, a!, pass('one', 40))).toBe(false);
  expect(await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META)).toBeNull();
});

it('ends a run in ERROR with its reason and gives the student their token back', async () => {
  const { run, user } = await queued(3);
  const cfg = { rate: 1, burst: 2 };
  await t.prisma.cooldownBucket.create({ data: { userId: user.id, tokens: 0, updatedAt: new Date() } });
  const a = await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META);
  expect(await errorRun(t.prisma, run.id, a!.attempt, 'the cluster API answered 500', cfg)).toBe(true);
  expect(await t.prisma.gradingRun.findUnique({ where: { id: run.id } })).toMatchObject({
    status: 'ERROR',
    errorDetail: 'the cluster API answered 500',
  });
  expect((await cooldownStatus(t.prisma, user.id, cfg)).tokensAvailable).toBe(1);
  // Only once: a second ERROR transition does not refund again.
  expect(await errorRun(t.prisma, run.id, null, 'again', cfg)).toBe(false);
  expect((await cooldownStatus(t.prisma, user.id, cfg)).tokensAvailable).toBe(1);
});

it('releases the job of a run whose worker stopped sending heartbeats, and errors it when no retry is left', async () => {
  const retried = await queued(4, 2);
  const lastTry = await queued(5, 0);
  // Earlier tests' jobs are not part of this story.
  await t.prisma.$executeRawUnsafe(`DELETE FROM pgboss.job WHERE NOT (id::text = ANY($1))`, [
    retried.run.jobId,
    lastTry.run.jobId,
  ]);
  // Two workers take the jobs and die right after starting.
  const jobs = await boss.fetch<{ runId: string }>(GRADE_QUEUE, { batchSize: 2 });
  expect(jobs).toHaveLength(2);
  for (const r of [retried.run, lastTry.run]) await beginAttempt(t.prisma, r.id, r.jobId!, PLANNED, RUN_META);

  // Fresh heartbeats: nothing to do.
  expect(await reconcileRuns(t.prisma, { staleAfterSeconds: 30 })).toEqual({
    released: [],
    errored: [],
    requeued: [],
  });

  await t.prisma.$executeRaw`UPDATE "GradingRun" SET "updatedAt" = now() - interval '1 minute'`;
  const result = await reconcileRuns(t.prisma, { staleAfterSeconds: 30, refund: { rate: 1, burst: 3 } });
  expect(result.released).toEqual([retried.run.id]);
  expect(result.errored).toEqual([lastTry.run.id]);
  expect(await t.prisma.gradingRun.findUnique({ where: { id: retried.run.id } })).toMatchObject({
    status: 'QUEUED',
  });
  expect((await boss.getJobById(GRADE_QUEUE, retried.run.jobId!))?.state).toBe('retry');
  expect(await t.prisma.gradingRun.findUnique({ where: { id: lastTry.run.id } })).toMatchObject({
    status: 'ERROR',
    errorDetail: expect.stringMatching(/stopped after 1 attempt/),
  });
});

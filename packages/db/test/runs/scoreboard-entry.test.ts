// The scoreboard's read model (ScoreboardEntry, kept by triggers) against a recomputation from
// GradingRun and CheckResult, after each of the writes runs go through: the api's submits and
// cancels, the worker's lifecycle writes, the reconciler, rollbacks, deletes, and concurrent
// writers of one enrollment. Real PostgreSQL with pg-boss.
import { describe, expect, it } from 'vitest';
import {
  beginAttempt,
  cancelRun,
  createPrisma,
  errorRun,
  finishRun,
  markCheckStarted,
  reconcileRuns,
  recordCheckResult,
  requeueRun,
  submitRun,
  type TestDatabase,
} from '../../src/index.ts';
import { PLANNED, RUN_META, checkOutcome, seed, useQueueDatabase } from './fixtures.ts';

let t: TestDatabase;
useQueueDatabase((db) => {
  t = db;
});

interface Entry {
  labId: string;
  enrollmentId: string;
  latestRunId: string | null;
  latestStatus: string | null;
  shownRunId: string | null;
  score: number | null;
  bestScore: number | null;
  lastGradedAt: Date | null;
  cells: Record<string, { status: string; points: number }>;
}

/** What the read model holds, for every lab and enrollment. */
async function readModel(): Promise<Entry[]> {
  return t.prisma.$queryRaw<Entry[]>`
    SELECT "labId", "enrollmentId", "latestRunId", "latestStatus"::text AS "latestStatus", "shownRunId", score, "bestScore", "lastGradedAt", cells
    FROM "ScoreboardEntry" WHERE "latestRunId" IS NOT NULL ORDER BY 1, 2`;
}

/** The same, recomputed from the runs and check results (DISTINCT ON per lab and enrollment). */
async function recomputed(): Promise<Entry[]> {
  return t.prisma.$queryRaw<Entry[]>`
    WITH latest AS (
      SELECT DISTINCT ON ("labId", "enrollmentId") "labId", "enrollmentId", id, status::text AS status
      FROM "GradingRun" ORDER BY "labId", "enrollmentId", "queuedAt" DESC),
    shown AS (
      SELECT DISTINCT ON ("labId", "enrollmentId") "labId", "enrollmentId", id
      FROM "GradingRun" WHERE status IN ('RUNNING', 'PASSED', 'FAILED', 'ERROR') ORDER BY "labId", "enrollmentId", "queuedAt" DESC),
    scored AS (
      SELECT DISTINCT ON ("labId", "enrollmentId") "labId", "enrollmentId", score, "finishedAt"
      FROM "GradingRun" WHERE status IN ('PASSED', 'FAILED') ORDER BY "labId", "enrollmentId", "queuedAt" DESC),
    best AS (
      SELECT "labId", "enrollmentId", max(score) AS best FROM "GradingRun" WHERE status IN ('PASSED', 'FAILED') GROUP BY 1, 2)
    SELECT l."labId", l."enrollmentId", l.id AS "latestRunId", l.status AS "latestStatus", s.id AS "shownRunId", sc.score,
           b.best AS "bestScore", sc."finishedAt" AS "lastGradedAt",
           coalesce((SELECT jsonb_object_agg(c."checkId", jsonb_build_object('status', c.status, 'points', c.points))
                     FROM "CheckResult" c WHERE c."runId" = s.id), '{}'::jsonb) AS cells
    FROM latest l
    LEFT JOIN shown s USING ("labId", "enrollmentId")
    LEFT JOIN scored sc USING ("labId", "enrollmentId")
    LEFT JOIN best b USING ("labId", "enrollmentId")
    ORDER BY 1, 2`;
}

async function expectAgreement(): Promise<Entry[]> {
  const [model, truth] = [await readModel(), await recomputed()];
  expect(model).toEqual(truth);
  return model;
}

describe('ScoreboardEntry', () => {
  it('follows a run from submit to verdict, a cancelled and an errored run, and a requeue', async () => {
    const { students } = await seed(t.prisma, 2, ['sb-a', 'sb-b']);
    const [ann, bob] = students.map((s) => s.enrollment);
    const submit = (enrollmentId: string, labId: string) =>
      submitRun(
        t.prisma,
        { enrollmentId, labId, trigger: 'STUDENT', disruptive: true },
        { retryLimit: 1, retryDelaySeconds: 1 },
      );

    const { run } = await submit(ann!.id, 'sb-a');
    expect((await expectAgreement()).find((e) => e.enrollmentId === ann!.id)).toMatchObject({
      latestStatus: 'QUEUED',
      shownRunId: null,
      cells: {},
    });
    const a = (await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META))!;
    expect((await expectAgreement())[0]).toMatchObject({
      latestStatus: 'RUNNING',
      cells: { one: { status: 'PENDING' }, two: { status: 'PENDING' } },
    });
    await markCheckStarted(t.prisma, a, 'one');
    await expectAgreement();
    await recordCheckResult(t.prisma, a, checkOutcome('one', 'pass', 40));
    expect((await expectAgreement())[0]).toMatchObject({
      cells: { one: { status: 'PASS', points: 40 }, two: { status: 'PENDING' } },
    });
    await finishRun(t.prisma, a, {
      status: 'FAILED',
      score: 40,
      maxScore: 100,
      checks: [checkOutcome('one', 'pass', 40), { ...checkOutcome('two', 'fail', 0), maxPoints: 60 }],
    });
    expect((await expectAgreement())[0]).toMatchObject({
      latestStatus: 'FAILED',
      score: 40,
      bestScore: 40,
      cells: { two: { status: 'FAIL' } },
    });

    // A second run that is cancelled: latest is CANCELLED, the cells and score stay the first run's.
    const second = await submit(ann!.id, 'sb-a');
    await expectAgreement();
    await cancelRun(t.prisma, second.run.id);
    expect((await expectAgreement())[0]).toMatchObject({
      latestStatus: 'CANCELLED',
      shownRunId: run.id,
      score: 40,
    });

    // Another lab for the same student errors; Bob's run is requeued, then passes.
    const other = await submit(ann!.id, 'sb-b');
    const o = (await beginAttempt(t.prisma, other.run.id, other.run.jobId!, PLANNED, RUN_META))!;
    await errorRun(t.prisma, other.run.id, o.attempt, 'the cluster API answered 500');
    const b = await submit(bob!.id, 'sb-a');
    const b1 = (await beginAttempt(t.prisma, b.run.id, b.run.jobId!, PLANNED, RUN_META))!;
    await recordCheckResult(t.prisma, b1, checkOutcome('one', 'pass', 40));
    await requeueRun(t.prisma, b1, 'worker shutting down');
    await expectAgreement();
    const b2 = (await beginAttempt(t.prisma, b.run.id, b.run.jobId!, PLANNED, RUN_META))!;
    await finishRun(t.prisma, b2, {
      status: 'PASSED',
      score: 100,
      maxScore: 100,
      checks: [checkOutcome('one', 'pass', 40), checkOutcome('two', 'pass', 60)],
    });
    const entries = await expectAgreement();
    expect(
      entries.map((e) => [
        e.labId,
        e.enrollmentId === ann!.id ? 'ann' : 'bob',
        e.latestStatus,
        e.score,
        e.bestScore,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['sb-a', 'ann', 'CANCELLED', 40, 40],
        ['sb-b', 'ann', 'ERROR', null, null],
        ['sb-a', 'bob', 'PASSED', 100, 100],
      ]),
    );
  });

  it('follows the reconciler putting a run with a stale heartbeat back in the queue', async () => {
    const { students } = await seed(t.prisma, 1, ['sb-c']);
    const { run } = await submitRun(
      t.prisma,
      { enrollmentId: students[0]!.enrollment.id, labId: 'sb-c', trigger: 'STUDENT', disruptive: true },
      { retryLimit: 2, retryDelaySeconds: 1 },
    );
    await beginAttempt(t.prisma, run.id, run.jobId!, PLANNED, RUN_META);
    await t.prisma
      .$executeRaw`UPDATE "GradingRun" SET "updatedAt" = now() - interval '1 minute' WHERE id = ${run.id}`;
    await reconcileRuns(t.prisma, { staleAfterSeconds: 30 });
    const entries = await expectAgreement();
    expect(entries.find((e) => e.latestRunId === run.id)?.latestStatus).toBe(
      (await t.prisma.gradingRun.findUniqueOrThrow({ where: { id: run.id } })).status,
    );
  });

  it('rolls back with the write it summarises, and follows deletes of runs and enrollments', async () => {
    const { students } = await seed(t.prisma, 2, ['sb-d']);
    const [cat, dan] = students.map((s) => s.enrollment);
    const finished = (enrollmentId: string, namespace: string, score: number, minutesAgo: number) => ({
      enrollmentId,
      labId: 'sb-d',
      namespace,
      trigger: 'STUDENT' as const,
      status: 'PASSED' as const,
      score,
      maxScore: 100,
      queuedAt: new Date(Date.now() - minutesAgo * 60_000),
      startedAt: new Date(),
      finishedAt: new Date(),
      checks: {
        create: [{ checkId: 'one', position: 0, status: 'PASS' as const, points: score, maxPoints: 40 }],
      },
    });
    const kept = await t.prisma.gradingRun.create({ data: finished(cat!.id, cat!.namespace, 30, 10) });
    await t.prisma.gradingRun.create({ data: finished(dan!.id, dan!.namespace, 20, 10) });
    const before = await expectAgreement();
    await expect(
      t.prisma.$transaction(async (tx) => {
        await tx.gradingRun.create({ data: finished(cat!.id, cat!.namespace, 99, 1) });
        throw new Error('the write fails after the run was inserted');
      }),
    ).rejects.toThrow(/the write fails/);
    expect(await expectAgreement()).toEqual(before);

    const newer = await t.prisma.gradingRun.create({ data: finished(cat!.id, cat!.namespace, 35, 1) });
    expect((await expectAgreement()).find((e) => e.enrollmentId === cat!.id)).toMatchObject({
      latestRunId: newer.id,
      score: 35,
      bestScore: 35,
    });
    await t.prisma.checkResult.deleteMany({ where: { runId: newer.id } });
    expect((await expectAgreement()).find((e) => e.enrollmentId === cat!.id)?.cells).toEqual({});
    await t.prisma.gradingRun.delete({ where: { id: newer.id } });
    expect((await expectAgreement()).find((e) => e.enrollmentId === cat!.id)).toMatchObject({
      latestRunId: kept.id,
      score: 30,
    });
    await t.prisma.enrollment.delete({ where: { id: dan!.id } });
    await expectAgreement();
    expect(
      await t.prisma.$queryRaw`SELECT 1 FROM "ScoreboardEntry" WHERE "enrollmentId" = ${dan!.id}`,
    ).toEqual([]);
  });

  it('stays right when several connections write runs of one enrollment at once', async () => {
    const { students } = await seed(t.prisma, 1, ['sb-e']);
    const e = students[0]!.enrollment;
    const scores = Array.from({ length: 24 }, (_, i) => (i * 37) % 101);
    const pool = createPrisma(t.url, { max: 8 });
    try {
      await Promise.all(
        scores.map((score, i) =>
          pool.$transaction(
            async (tx) => {
              const r = await tx.gradingRun.create({
                data: {
                  enrollmentId: e.id,
                  labId: 'sb-e',
                  namespace: e.namespace,
                  trigger: 'STUDENT',
                  status: 'RUNNING',
                  maxScore: 100,
                  queuedAt: new Date(Date.now() - (100 - i) * 1000),
                  startedAt: new Date(),
                },
              });
              await tx.checkResult.create({
                data: { runId: r.id, checkId: 'one', position: 0, status: 'PASS', points: 40, maxPoints: 40 },
              });
              await tx.gradingRun.update({
                where: { id: r.id },
                data: { status: i % 3 ? 'PASSED' : 'FAILED', score, finishedAt: new Date() },
              });
            },
            // 24 writers queue for 8 connections and one entry's lock: on a loaded CI machine the
            // last ones waited longer than Prisma's default 2 s for a connection.
            { maxWait: 60_000, timeout: 60_000 },
          ),
        ),
      );
    } finally {
      await pool.$disconnect();
    }
    const entry = (await expectAgreement()).find((x) => x.enrollmentId === e.id);
    // The newest run (queued last) gives the score, the best of all 24 the best score.
    expect(entry).toMatchObject({
      score: scores[23],
      bestScore: Math.max(...scores),
      cells: { one: { status: 'PASS', points: 40 } },
    });
  });

  /** A run of one enrollment of lab `labId`, `minutesAgo` queued, graded with `score` (or QUEUED). */
  const runOf = (
    e: { id: string; namespace: string },
    labId: string,
    minutesAgo: number,
    score?: number,
  ) => ({
    enrollmentId: e.id,
    labId,
    namespace: e.namespace,
    trigger: 'STUDENT' as const,
    queuedAt: new Date(Date.now() - minutesAgo * 60_000),
    ...(score === undefined
      ? { status: 'QUEUED' as const }
      : { status: 'PASSED' as const, score, maxScore: 100, startedAt: new Date(), finishedAt: new Date() }),
  });

  /**
   * Inserts `firstRun` in a transaction that stays open until `secondRun`, inserted on another
   * connection, waits for a lock the first holds; then commits the first.
   */
  async function secondWaitsForFirst(
    firstRun: ReturnType<typeof runOf>,
    secondRun: ReturnType<typeof runOf>,
  ) {
    const [one, two] = [createPrisma(t.url, { max: 1 }), createPrisma(t.url, { max: 1 })];
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const firstWritten = new Promise<void>((r) => (inserted = r));
      const first = one.$transaction(
        async (tx) => {
          await tx.gradingRun.create({ data: firstRun });
          inserted();
          await held;
        },
        { timeout: 60_000 },
      );
      await firstWritten;
      const [{ pid }] = (await two.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`) as [
        { pid: number },
      ];
      const second = two.gradingRun.create({ data: secondRun }).then(() => undefined);
      // Commit the first only once the second waits for a lock the first holds.
      for (let waiting = 0; waiting === 0;) {
        [{ waiting }] = (await t.prisma.$queryRaw<
          { waiting: number }[]
        >`SELECT count(*)::int AS waiting FROM pg_locks WHERE pid = ${pid} AND NOT granted`) as [
          { waiting: number },
        ];
      }
      release();
      await Promise.all([first, second]);
    } finally {
      await Promise.all([one.$disconnect(), two.$disconnect()]);
    }
  }

  it('a writer that waited for another one counts its rows (the entry is locked before it is recomputed)', async () => {
    const { students } = await seed(t.prisma, 1, ['sb-f']);
    const e = students[0]!.enrollment;
    await t.prisma.gradingRun.create({ data: runOf(e, 'sb-f', 30, 10) });
    // The second must not write an entry recomputed from a snapshot without the first's run
    // (that would show the older run's 30 as the latest score).
    await secondWaitsForFirst(runOf(e, 'sb-f', 1, 50), runOf(e, 'sb-f', 10, 30));
    const entry = (await expectAgreement()).find((x) => x.enrollmentId === e.id);
    expect(entry).toMatchObject({ score: 50, bestScore: 50 });
  });

  it('a queued run sets only the latest run, and one queued before the latest leaves it alone, even while waiting for its writer', async () => {
    const { students } = await seed(t.prisma, 1, ['sb-g']);
    const e = students[0]!.enrollment;
    const graded = await t.prisma.gradingRun.create({ data: runOf(e, 'sb-g', 30, 40) });
    const queued = await t.prisma.gradingRun.create({ data: runOf(e, 'sb-g', 20) });
    const ofLab = (entries: Entry[]) => entries.find((x) => x.labId === 'sb-g');
    expect(ofLab(await expectAgreement())).toMatchObject({
      latestRunId: queued.id,
      latestStatus: 'QUEUED',
      shownRunId: graded.id,
      score: 40,
    });
    await t.prisma.gradingRun.delete({ where: { id: queued.id } });
    // Queued before the newest graded run, and inserted while that run's writer holds the entry.
    await secondWaitsForFirst(runOf(e, 'sb-g', 1, 60), runOf(e, 'sb-g', 10));
    expect(ofLab(await expectAgreement())).toMatchObject({
      latestStatus: 'PASSED',
      score: 60,
      bestScore: 60,
    });
  });
});

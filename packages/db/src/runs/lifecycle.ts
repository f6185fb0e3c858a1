// The worker's side of a run: every write is fenced by (status RUNNING, attempts = this attempt), so
// a worker that lost its job (presumed dead, retried elsewhere) or whose run was cancelled can no
// longer change the run. Each write NOTIFYs in its own transaction, so subscribers see committed rows.
import { Prisma, type CheckStatus, type PrismaClient } from '../generated/prisma/client.ts';
import { refundCooldownToken, type CooldownConfig } from './cooldown.ts';
import { encodeMessage, notifyRun, PUBSUB_CHANNEL } from './pubsub.ts';
import { BOSS_SCHEMA, GRADE_QUEUE } from './queue.ts';
import { prismaExecutor, sqlOnlyBoss } from '../boss.ts';
import { runTopic, scoreboardTopic, type RunEventKind } from './topics.ts';
import { enqueueRunEvents } from '../events/outbox.ts';

/** One check's verdict as the grader reports it (structurally the grader's CheckResult). */
export interface CheckOutcome {
  id: string;
  status: 'pass' | 'fail' | 'error' | 'skipped';
  points: number;
  maxPoints: number;
  message: string;
  /** What was found as a grader catalog message (key + parameters), rendered in each reader's language. */
  messageText?: { $msg: string; params: Record<string, unknown> };
  hint: { key: string; zh: string; en: string } | null;
  evidence: Record<string, unknown>;
  durationMs: number;
}

/** A check the run will execute, in lab order. */
export interface PlannedCheck {
  id: string;
  position: number;
  maxPoints: number;
}

/** Identifies one attempt of one run (the fencing token). */
export interface Attempt {
  runId: string;
  attempt: number;
  labId: string;
  enrollmentId: string;
}

const STATUS: Record<CheckOutcome['status'], CheckStatus> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIPPED',
};
const TX = { maxWait: 10_000, timeout: 20_000 };

type Tx = Prisma.TransactionClient;

/** Locks the run if this attempt still owns it; false when fenced out. */
async function owns(tx: Tx, a: Attempt): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "GradingRun" WHERE "id" = ${a.runId} AND "status" = 'RUNNING' AND "attempts" = ${a.attempt} FOR UPDATE`;
  return rows.length === 1;
}

function emit(
  tx: Tx,
  a: Pick<Attempt, 'runId' | 'labId' | 'enrollmentId'>,
  event: RunEventKind,
  extra: { checkId?: string } = {},
  scoreboard = false,
) {
  return notifyRun(
    tx,
    { event, runId: a.runId, labId: a.labId, enrollmentId: a.enrollmentId, ...extra },
    scoreboard,
  );
}

function resultData(r: CheckOutcome, position: number | undefined) {
  const finishedAt = new Date();
  return {
    status: STATUS[r.status],
    points: r.points,
    maxPoints: r.maxPoints,
    message: r.message,
    messageKey: r.messageText?.$msg ?? null,
    messageParams: r.messageText ? (r.messageText.params as Prisma.InputJsonObject) : Prisma.DbNull,
    hintKey: r.hint?.key ?? null,
    hint: r.hint ? (r.hint as unknown as Prisma.InputJsonObject) : Prisma.DbNull,
    evidence: r.evidence as Prisma.InputJsonObject,
    durationMs: Math.round(r.durationMs),
    finishedAt,
    ...(position !== undefined ? { position } : {}),
  };
}

/**
 * Starts an attempt: marks the run RUNNING, bumps `attempts`, resets its checks to PENDING (a retried
 * run starts over). Returns null when the run is no longer queued or running (cancelled, finished).
 */
export async function beginAttempt(
  db: PrismaClient,
  runId: string,
  jobId: string,
  checks: PlannedCheck[],
  meta: { labVersion: string; graderVersion: string; maxScore: number },
): Promise<Attempt | null> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ attempts: number; labId: string; enrollmentId: string }[]>`
      UPDATE "GradingRun" SET "status" = 'RUNNING', "startedAt" = now(), "finishedAt" = NULL, "score" = NULL,
        "attempts" = "attempts" + 1, "jobId" = ${jobId}, "labVersion" = ${meta.labVersion},
        "graderVersion" = ${meta.graderVersion}, "maxScore" = ${meta.maxScore}, "updatedAt" = now()
      WHERE "id" = ${runId} AND "status" IN ('QUEUED', 'RUNNING')
      RETURNING "attempts", "labId", "enrollmentId"`;
    const row = rows[0];
    if (!row) return null;
    await tx.checkResult.deleteMany({ where: { runId } });
    await tx.checkResult.createMany({
      data: checks.map((c) => ({
        runId,
        checkId: c.id,
        position: c.position,
        maxPoints: c.maxPoints,
        status: 'PENDING' as const,
      })),
    });
    const a: Attempt = { runId, attempt: row.attempts, labId: row.labId, enrollmentId: row.enrollmentId };
    await emit(tx, a, 'started');
    return a;
  }, TX);
}

/**
 * Marks a check RUNNING (the grader's check-started), in one statement as recordCheckResult: the
 * fence, the check's status, the heartbeat and the run topic's NOTIFY. False when this attempt was
 * fenced out.
 */
export async function markCheckStarted(db: PrismaClient, a: Attempt, checkId: string): Promise<boolean> {
  const runText = encodeMessage({
    topic: runTopic(a.runId),
    payload: {
      event: 'check-started',
      runId: a.runId,
      labId: a.labId,
      enrollmentId: a.enrollmentId,
      checkId,
    },
  });
  const rows = await db.$queryRaw<{ owned: boolean }[]>`
    WITH owned AS (
      SELECT "id" FROM "GradingRun" WHERE "id" = ${a.runId} AND "status" = 'RUNNING' AND "attempts" = ${a.attempt}::int FOR UPDATE),
    started AS (
      UPDATE "CheckResult" c SET "status" = 'RUNNING', "startedAt" = ${new Date()}::timestamptz
      FROM owned o WHERE c."runId" = o."id" AND c."checkId" = ${checkId} RETURNING 1),
    beat AS (UPDATE "GradingRun" g SET "updatedAt" = now() FROM owned o WHERE g."id" = o."id" RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM owned) AS "owned",
           (SELECT pg_notify(${PUBSUB_CHANNEL}, ${runText})::text FROM owned) AS "run"`;
  return rows[0]?.owned === true;
}

/**
 * Stores one check's verdict the moment it is known (upsert on (runId, checkId)), in one statement:
 * the fence (the run row locked if this attempt still owns it), the upsert, the heartbeat and the
 * two NOTIFYs (the run's topic and the lab's scoreboard, so a cell changes as its check finishes).
 */
export async function recordCheckResult(
  db: PrismaClient,
  a: Attempt,
  result: CheckOutcome,
  position?: number,
): Promise<boolean> {
  const d = resultData(result, position);
  const json = (v: unknown) =>
    v === Prisma.DbNull || v === null || v === undefined ? null : JSON.stringify(v);
  const event = {
    event: 'check-finished',
    runId: a.runId,
    labId: a.labId,
    enrollmentId: a.enrollmentId,
    checkId: result.id,
  };
  const runText = encodeMessage({ topic: runTopic(a.runId), payload: event });
  const boardText = encodeMessage({ topic: scoreboardTopic(a.labId), payload: event });
  const rows = await db.$queryRaw<{ owned: boolean }[]>`
    WITH owned AS (
      SELECT "id" FROM "GradingRun" WHERE "id" = ${a.runId} AND "status" = 'RUNNING' AND "attempts" = ${a.attempt}::int FOR UPDATE),
    saved AS (
      INSERT INTO "CheckResult" ("runId", "checkId", "position", "status", "points", "maxPoints", "message", "messageKey", "messageParams",
                                 "hintKey", "hint", "evidence", "durationMs", "finishedAt")
      SELECT o."id", ${result.id}, ${position ?? 0}::int, ${d.status}::"CheckStatus", ${d.points}::float8, ${d.maxPoints}::float8, ${d.message},
             ${d.messageKey}::text, ${json(d.messageParams)}::jsonb, ${d.hintKey}::text, ${json(d.hint)}::jsonb, ${json(d.evidence)}::jsonb,
             ${d.durationMs}::int, ${d.finishedAt}::timestamptz
      FROM owned o
      ON CONFLICT ("runId", "checkId") DO UPDATE SET
        "status" = EXCLUDED."status", "points" = EXCLUDED."points", "maxPoints" = EXCLUDED."maxPoints", "message" = EXCLUDED."message",
        "messageKey" = EXCLUDED."messageKey", "messageParams" = EXCLUDED."messageParams", "hintKey" = EXCLUDED."hintKey", "hint" = EXCLUDED."hint",
        "evidence" = EXCLUDED."evidence", "durationMs" = EXCLUDED."durationMs", "finishedAt" = EXCLUDED."finishedAt",
        "position" = CASE WHEN ${position !== undefined} THEN EXCLUDED."position" ELSE "CheckResult"."position" END
      RETURNING 1),
    beat AS (UPDATE "GradingRun" g SET "updatedAt" = now() FROM owned o WHERE g."id" = o."id" RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM owned) AS "owned",
           (SELECT pg_notify(${PUBSUB_CHANNEL}, ${runText})::text FROM owned) AS "run",
           (SELECT pg_notify(${PUBSUB_CHANNEL}, ${boardText})::text FROM owned) AS "board"`;
  return rows[0]?.owned === true;
}

/** The verdict of a whole run. */
export interface RunVerdict {
  status: 'PASSED' | 'FAILED';
  score: number;
  maxScore: number;
  checks: CheckOutcome[];
}

/**
 * Ends the attempt with the grader's verdict (re-writing every check, so the end state is whole). A
 * check recorded as it finished keeps its own finishedAt; only a check never recorded gets the run's.
 */
export async function finishRun(db: PrismaClient, a: Attempt, verdict: RunVerdict): Promise<boolean> {
  return db.$transaction(async (tx) => {
    if (!(await owns(tx, a))) return false;
    // The final score before this run counts, for score.changed.
    const before = await tx.scoreboardEntry.findUnique({
      where: { labId_enrollmentId: { labId: a.labId, enrollmentId: a.enrollmentId } },
      select: { finalScore: true },
    });
    for (const r of verdict.checks) {
      const { finishedAt, ...data } = resultData(r, undefined);
      await tx.checkResult.upsert({
        where: { runId_checkId: { runId: a.runId, checkId: r.id } },
        create: { runId: a.runId, checkId: r.id, ...data, finishedAt },
        update: data,
      });
    }
    await tx.checkResult.updateMany({
      where: { runId: a.runId, finishedAt: null },
      data: { finishedAt: new Date() },
    });
    await tx.gradingRun.update({
      where: { id: a.runId },
      data: {
        status: verdict.status,
        score: verdict.score,
        maxScore: verdict.maxScore,
        finishedAt: new Date(),
        errorDetail: null,
      },
    });
    await emit(tx, a, 'finished', {}, true);
    await enqueueRunEvents(tx, a.runId, before?.finalScore ?? null);
    return true;
  }, TX);
}

/** Puts the run back in line after a failed attempt that will be retried (status QUEUED, reason kept). */
export async function requeueRun(db: PrismaClient, a: Attempt, detail: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    if (!(await owns(tx, a))) return false;
    await tx.gradingRun.update({ where: { id: a.runId }, data: { status: 'QUEUED', errorDetail: detail } });
    await emit(tx, a, 'requeued');
    return true;
  }, TX);
}

/**
 * Ends the run as ERROR (never the student's fault) and refunds a student's cooldown token.
 * `attempt` null is the reconciler's path: it applies to any queued or running run.
 */
export async function errorRun(
  db: PrismaClient,
  runId: string,
  attempt: number | null,
  detail: string,
  refund?: CooldownConfig,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<
      { labId: string; enrollmentId: string; trigger: string; triggeredById: string | null }[]
    >`
      UPDATE "GradingRun" SET "status" = 'ERROR', "errorDetail" = ${detail}, "finishedAt" = now(), "updatedAt" = now()
      WHERE "id" = ${runId} AND "status" IN ('QUEUED', 'RUNNING') AND (${attempt}::int IS NULL OR "attempts" = ${attempt}::int)
      RETURNING "labId", "enrollmentId", "trigger"::text AS "trigger", "triggeredById"`;
    const row = rows[0];
    if (!row) return false;
    // Checks still pending or running when the run gave up did not get a verdict.
    await tx.checkResult.updateMany({
      where: { runId, status: { in: ['PENDING', 'RUNNING'] } },
      data: {
        status: 'ERROR',
        message: 'not judged: the run ended with an infrastructure error',
        messageKey: 'run.not-judged',
        messageParams: {},
      },
    });
    if (refund && row.trigger === 'STUDENT' && row.triggeredById)
      await refundCooldownToken(tx, row.triggeredById, refund);
    await emit(tx, { runId, labId: row.labId, enrollmentId: row.enrollmentId }, 'finished', {}, true);
    await enqueueRunEvents(tx, runId);
    return true;
  }, TX);
}

/** What a heartbeat found: still ours, cancelled by someone, or taken over by another attempt. */
export type HeartbeatResult = 'ok' | 'cancelled' | 'lost';

/** Refreshes the run's updatedAt (the worker is alive) and reports whether it should go on. */
export async function heartbeat(db: PrismaClient, a: Attempt): Promise<HeartbeatResult> {
  const n = await db.$executeRaw`
    UPDATE "GradingRun" SET "updatedAt" = now() WHERE "id" = ${a.runId} AND "status" = 'RUNNING' AND "attempts" = ${a.attempt}`;
  if (n === 1) return 'ok';
  const run = await db.gradingRun.findUnique({ where: { id: a.runId }, select: { status: true } });
  return run?.status === 'CANCELLED' ? 'cancelled' : 'lost';
}

/** Options of reconcileRuns. */
export interface ReconcileOptions {
  /** A RUNNING run whose heartbeat is older than this is presumed abandoned. Default 30 s. */
  staleAfterSeconds?: number;
  /** Refund settings for runs that end ERROR here. */
  refund?: CooldownConfig;
}

/** What reconcileRuns did, by run id. */
export interface ReconcileResult {
  /** Abandoned runs whose job was released for another attempt. */
  released: string[];
  /** Runs ended ERROR (their job had ended, or no attempts were left). */
  errored: string[];
  /** RUNNING runs whose job pg-boss had already put back in line. */
  requeued: string[];
}

/**
 * Repairs runs a dead worker left behind: RUNNING runs with a stale heartbeat get their job failed
 * (so pg-boss retries it now rather than at lease expiry) and go back to QUEUED, or end ERROR when
 * no attempt is left; queued or running runs whose job has ended without a verdict end ERROR.
 * Safe to run from every worker at once.
 */
export async function reconcileRuns(
  db: PrismaClient,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const stale = options.staleAfterSeconds ?? 30;
  const out: ReconcileResult = { released: [], errored: [], requeued: [] };
  const rows = await db.$queryRawUnsafe<
    {
      id: string;
      status: string;
      jobId: string | null;
      stale: boolean;
      attempts: number;
      state: string | null;
      retryCount: number | null;
      retryLimit: number | null;
    }[]
  >(
    `SELECT r."id", r."status"::text AS "status", r."jobId", r."attempts",
            r."updatedAt" < now() - make_interval(secs => $2) AS "stale",
            COALESCE(j.state, a.state)::text AS "state", COALESCE(j.retry_count, a.retry_count) AS "retryCount",
            COALESCE(j.retry_limit, a.retry_limit) AS "retryLimit"
       FROM "GradingRun" r
       LEFT JOIN ${BOSS_SCHEMA}.job j ON j.name = $1 AND j.id::text = r."jobId"
       LEFT JOIN ${BOSS_SCHEMA}.archive a ON j.id IS NULL AND a.name = $1 AND a.id::text = r."jobId"
      WHERE r."status" IN ('QUEUED', 'RUNNING')`,
    GRADE_QUEUE,
    stale,
  );
  for (const r of rows) {
    const state = r.state;
    const ended = state === null || state === 'completed' || state === 'cancelled' || state === 'failed';
    if (r.status === 'QUEUED') {
      if (ended) {
        if (
          await errorRun(
            db,
            r.id,
            null,
            `the grading job ended (${state ?? 'missing'}) without a verdict`,
            options.refund,
          )
        )
          out.errored.push(r.id);
      }
      continue;
    }
    // RUNNING: a live worker refreshes updatedAt; leave fresh runs alone whatever the job says.
    if (!r.stale) continue;
    if (state === 'created' || state === 'retry') {
      const n = await db.gradingRun.updateMany({
        where: { id: r.id, status: 'RUNNING', attempts: r.attempts },
        data: {
          status: 'QUEUED',
          errorDetail: 'the worker grading this run stopped; waiting for another attempt',
        },
      });
      if (n.count === 1) out.requeued.push(r.id);
      continue;
    }
    if (state === 'active' && r.jobId) {
      await sqlOnlyBoss().fail(
        GRADE_QUEUE,
        r.jobId,
        { message: 'the worker stopped sending heartbeats' },
        { db: prismaExecutor(db) },
      );
      const after = await db.$queryRawUnsafe<{ state: string }[]>(
        `SELECT state::text AS state FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND id = $2::uuid`,
        GRADE_QUEUE,
        r.jobId,
      );
      if (after[0]?.state === 'retry' || after[0]?.state === 'created') {
        const n = await db.gradingRun.updateMany({
          where: { id: r.id, status: 'RUNNING', attempts: r.attempts },
          data: {
            status: 'QUEUED',
            errorDetail: `attempt ${r.attempts} was abandoned by its worker; retrying`,
          },
        });
        if (n.count === 1) {
          out.released.push(r.id);
          const run = await db.gradingRun.findUnique({ where: { id: r.id } });
          if (run)
            await notifyRun(db, {
              event: 'requeued',
              runId: run.id,
              labId: run.labId,
              enrollmentId: run.enrollmentId,
            });
        }
        continue;
      }
    }
    const detail = `the worker grading this run stopped after ${r.attempts} attempt(s) and no retries are left`;
    if (await errorRun(db, r.id, r.attempts, detail, options.refund)) out.errored.push(r.id);
  }
  return out;
}

// Outbound signed events, the database side: an event becomes one EventDelivery row per endpoint
// that wants it plus one `event-delivery` pg-boss job, both inserted in the transaction of the
// result the event reports (finishRun, errorRun), so an event is sent if and only if its result is
// committed. Sending (signing, HTTP, retries) is the worker's (apps/worker/src/events.ts).
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { prismaExecutor, sqlOnlyBoss } from '../boss.ts';

/** The pg-boss queue event deliveries go to. */
export const EVENT_QUEUE = 'event-delivery';

/** The pg-boss queue LTI score passbacks (AGS) go to. */
export const LTI_SCORE_QUEUE = 'lti-score';

/** What an `lti-score` job carries. */
export interface LtiScoreJobData {
  pushId: string;
}

/** The event types an endpoint can ask for. */
export const EVENT_TYPES = ['run.finished', 'score.changed', 'regrade.completed', 'student.stuck'] as const;

/** Graded runs in a row failing with the same hint that make a student "stuck" (the class insight's default N). */
export const STUCK_RUNS = 3;

/** One event type. */
export type EventType = (typeof EVENT_TYPES)[number];

/** What an `event-delivery` job carries. */
export interface EventJobData {
  deliveryId: string;
}

/** Retry settings of event deliveries (EVENT_RETRY_LIMIT, EVENT_RETRY_DELAY_SECONDS). */
export interface EventRetryOptions {
  /** Retries after the first attempt. Default 8. */
  retryLimit: number;
  /** The first retry's delay in seconds; each later one doubles (pg-boss retryBackoff). Default 10. */
  retryDelaySeconds: number;
}

let retryOptions: EventRetryOptions | null = null;

/** The retry settings, read from the environment once (a bad value throws, naming the variable). */
export function eventRetryOptions(env: NodeJS.ProcessEnv = process.env): EventRetryOptions {
  if (retryOptions) return retryOptions;
  const read = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name} must be an integer from ${min} to ${max} (got ${raw})`);
    return n;
  };
  retryOptions = {
    retryLimit: read('EVENT_RETRY_LIMIT', 8, 0, 20),
    retryDelaySeconds: read('EVENT_RETRY_DELAY_SECONDS', 10, 1, 3600),
  };
  return retryOptions;
}

/** Sets the retry settings for this process (tests; main programs use the environment). */
export function setEventRetryOptions(options: EventRetryOptions | null): void {
  retryOptions = options;
}

/** Inserts the job that sends (or resends) a delivery, through `db` (the caller's transaction). */
export async function enqueueDeliveryJob(
  db: Prisma.TransactionClient | PrismaClient,
  deliveryId: string,
): Promise<void> {
  const r = eventRetryOptions();
  const data: EventJobData = { deliveryId };
  await sqlOnlyBoss().send(EVENT_QUEUE, data, {
    db: prismaExecutor(db),
    retryLimit: r.retryLimit,
    retryDelay: r.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: 120,
  } as PgBoss.SendOptions);
}

/** The envelope every event body has (Standard Webhooks' recommended shape). */
export interface EventBody {
  type: EventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Writes one delivery per endpoint that wants `type`, and their jobs. */
async function fanOut(
  tx: Prisma.TransactionClient,
  endpoints: { id: string; events: string[] }[],
  type: EventType,
  data: Record<string, unknown>,
): Promise<number> {
  const body: EventBody = { type, timestamp: new Date().toISOString(), data };
  let n = 0;
  for (const e of endpoints) {
    if (!e.events.includes(type)) continue;
    const d = await tx.eventDelivery.create({
      data: {
        endpointId: e.id,
        messageId: `msg_${randomUUID().replaceAll('-', '')}`,
        eventType: type,
        payload: body as unknown as Prisma.InputJsonObject,
      },
      select: { id: true },
    });
    await enqueueDeliveryJob(tx, d.id);
    n += 1;
  }
  return n;
}

interface RunFacts {
  id: string;
  labId: string;
  namespace: string;
  status: string;
  score: number | null;
  maxScore: number;
  trigger: string;
  queuedAt: Date;
  finishedAt: Date | null;
  enrollmentId: string;
  courseId: string;
  courseSlug: string;
  email: string;
  name: string;
  studentId: string | null;
  endpoints: { id: string; events: string[] }[] | null;
}

/**
 * The events of a run that just ended, inside the transaction that ended it: `run.finished`,
 * `score.changed` (the student's final score in the ledger moved from `previousFinal`, read before
 * the run ended; undefined: not asked) and `regrade.completed` (this was the last open run of a
 * regrade). Never throws: a failure is rolled back to a savepoint and reported to `onError`, so an
 * event can never cost a student their verdict.
 */
export async function enqueueRunEvents(
  tx: Prisma.TransactionClient,
  runId: string,
  previousFinal?: number | null,
  onError: (err: unknown) => void = defaultOnError,
): Promise<void> {
  await tx.$executeRawUnsafe('SAVEPOINT kubegrade_events');
  try {
    const [run] = await tx.$queryRaw<RunFacts[]>`
      SELECT r."id", r."labId", r."namespace", r."status"::text AS "status", r."score", r."maxScore", r."trigger"::text AS "trigger",
             r."queuedAt", r."finishedAt", r."enrollmentId", e."courseId", c."slug" AS "courseSlug", u."email", u."name", u."studentId",
             (SELECT json_agg(json_build_object('id', p."id", 'events', p."events")) FROM "EventEndpoint" p
               WHERE p."courseId" = e."courseId" AND p."active") AS "endpoints"
        FROM "GradingRun" r JOIN "Enrollment" e ON e."id" = r."enrollmentId" JOIN "Course" c ON c."id" = e."courseId"
        JOIN "User" u ON u."id" = e."userId"
       WHERE r."id" = ${runId}`;
    if (!run) return;
    const endpoints = run.endpoints ?? [];
    const student = { email: run.email, name: run.name, studentId: run.studentId };
    if (endpoints.length) {
      await fanOut(tx, endpoints, 'run.finished', {
        runId: run.id,
        lab: run.labId,
        course: run.courseSlug,
        namespace: run.namespace,
        student,
        status: run.status,
        score: run.score,
        maxScore: run.maxScore,
        trigger: run.trigger,
        queuedAt: run.queuedAt.toISOString(),
        finishedAt: run.finishedAt?.toISOString() ?? null,
      });
      if (previousFinal !== undefined && endpoints.some((e) => e.events.includes('score.changed'))) {
        // The score that counts is the ledger's (policy, late deduction, adjustments): the triggers
        // have already recomputed it in this transaction.
        const entry = await tx.scoreboardEntry.findUnique({
          where: { labId_enrollmentId: { labId: run.labId, enrollmentId: run.enrollmentId } },
          select: { finalScore: true, countedRunId: true, countedReason: true, latePercent: true },
        });
        const finalScore = entry?.finalScore ?? null;
        if (finalScore !== previousFinal) {
          await fanOut(tx, endpoints, 'score.changed', {
            runId: run.id,
            lab: run.labId,
            course: run.courseSlug,
            namespace: run.namespace,
            student,
            previousScore: previousFinal,
            score: finalScore,
            maxScore: run.maxScore,
            runScore: run.score,
            countedRunId: entry?.countedRunId ?? null,
            countedReason: entry?.countedReason ?? null,
            latePercent: entry?.latePercent ?? 0,
          });
        }
      }
    }
    if (
      (run.status === 'PASSED' || run.status === 'FAILED') &&
      endpoints.some((e) => e.events.includes('student.stuck'))
    ) {
      // Stuck (as the class insight counts it): the same failing hint on the last STUCK_RUNS graded
      // runs. Sent once, on the run that makes the streak exactly STUCK_RUNS long.
      const streaks = await tx.$queryRaw<{ checkId: string; hintKey: string; rns: bigint[] }[]>`
        WITH recent AS (
          SELECT g."id", row_number() OVER (ORDER BY g."finishedAt" DESC NULLS LAST, g."id" DESC) AS rn
            FROM "GradingRun" g
           WHERE g."enrollmentId" = ${run.enrollmentId} AND g."labId" = ${run.labId} AND g."status" IN ('PASSED', 'FAILED')
           ORDER BY g."finishedAt" DESC NULLS LAST, g."id" DESC LIMIT ${STUCK_RUNS + 1})
        SELECT c."checkId", c."hintKey", array_agg(r.rn ORDER BY r.rn) AS rns
          FROM recent r JOIN "CheckResult" c ON c."runId" = r."id" AND c."status" = 'FAIL' AND c."hintKey" IS NOT NULL
         GROUP BY c."checkId", c."hintKey"`;
      for (const s of streaks) {
        const rns = s.rns.map(Number);
        const streak = rns.findIndex((rn, i) => rn !== i + 1);
        if ((streak === -1 ? rns.length : streak) !== STUCK_RUNS) continue;
        await fanOut(tx, endpoints, 'student.stuck', {
          runId: run.id,
          lab: run.labId,
          course: run.courseSlug,
          namespace: run.namespace,
          student,
          checkId: s.checkId,
          hintKey: s.hintKey,
          runs: STUCK_RUNS,
        });
      }
    }
    await completeRegradeBatches(tx, run.id);
    if (run.status === 'PASSED' || run.status === 'FAILED') {
      // The student's line items of this lab in the LMS (LTI AGS) get the counted score.
      const links = await tx.$queryRaw<{ id: string }[]>`
        SELECT gl."id" FROM "LtiGradeLink" gl
          JOIN "LtiIdentity" i ON i."id" = gl."identityId"
          JOIN "LtiPlatform" p ON p."id" = i."platformId"
          JOIN "Enrollment" e ON e."userId" = i."userId" AND e."courseId" = p."courseId"
         WHERE e."id" = ${run.enrollmentId} AND gl."labId" = ${run.labId}`;
      for (const l of links) await enqueueLtiScorePush(tx, l.id, run.id);
    }
    await tx.$executeRawUnsafe('RELEASE SAVEPOINT kubegrade_events');
  } catch (err) {
    await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT kubegrade_events');
    onError(err);
  }
}

function defaultOnError(err: unknown): void {
  process.emitWarning(
    `kubegrade: could not queue the events of a finished run: ${(err as Error)?.message ?? String(err)}`,
  );
}

/**
 * Closes every open regrade batch `runId` belongs to whose runs have all ended, sending
 * `regrade.completed` once per batch to the endpoints of the batch's courses. The batch row is
 * locked, so two runs ending at once cannot both (or neither) close it.
 */
export async function completeRegradeBatches(
  tx: Prisma.TransactionClient,
  runId: string | null,
  batchId?: string,
): Promise<void> {
  const batches = await tx.$queryRaw<{ id: string; labId: string; runIds: string[]; createdAt: Date }[]>`
    SELECT "id", "labId", "runIds", "createdAt" FROM "RegradeBatch"
     WHERE "completedAt" IS NULL AND (${runId}::text IS NULL OR ${runId}::text = ANY("runIds")) AND (${batchId ?? null}::text IS NULL OR "id" = ${batchId ?? null}::text)
     ORDER BY "id" FOR UPDATE`;
  for (const b of batches) {
    const runs = await tx.$queryRaw<
      { status: string; courseId: string; namespace: string; score: number | null }[]
    >`
      SELECT r."status"::text AS "status", e."courseId", r."namespace", r."score" FROM "GradingRun" r
        JOIN "Enrollment" e ON e."id" = r."enrollmentId" WHERE r."id" = ANY(${b.runIds}::text[])`;
    if (runs.some((r) => r.status === 'QUEUED' || r.status === 'RUNNING')) continue;
    await tx.$executeRaw`UPDATE "RegradeBatch" SET "completedAt" = now() WHERE "id" = ${b.id}`;
    const courseIds = [...new Set(runs.map((r) => r.courseId))];
    const endpoints = await tx.eventEndpoint.findMany({
      where: { courseId: { in: courseIds }, active: true },
      select: { id: true, events: true, courseId: true },
    });
    for (const courseId of courseIds) {
      const mine = runs.filter((r) => r.courseId === courseId);
      await fanOut(
        tx,
        endpoints.filter((e) => e.courseId === courseId),
        'regrade.completed',
        {
          batchId: b.id,
          lab: b.labId,
          startedAt: b.createdAt.toISOString(),
          runs: mine.length,
          passed: mine.filter((r) => r.status === 'PASSED').length,
          failed: mine.filter((r) => r.status === 'FAILED').length,
          errored: mine.filter((r) => r.status === 'ERROR').length,
          cancelled: mine.filter((r) => r.status === 'CANCELLED').length,
          results: mine.map((r) => ({ namespace: r.namespace, status: r.status, score: r.score })),
        },
      );
    }
  }
}

/** Records the runs of one regrade; closes it at once when they have all ended already. */
export async function createRegradeBatch(
  db: PrismaClient,
  input: { labId: string; runIds: string[]; createdById: string | null },
): Promise<string> {
  return db.$transaction(async (tx) => {
    const b = await tx.regradeBatch.create({ data: input, select: { id: true } });
    await completeRegradeBatches(tx, null, b.id);
    return b.id;
  });
}

/** Writes a passback log row and its `lti-score` job (the worker reads the counted score when it sends). */
export async function enqueueLtiScorePush(
  db: Prisma.TransactionClient | PrismaClient,
  gradeLinkId: string,
  runId: string | null,
): Promise<string> {
  const push = await db.ltiScorePush.create({ data: { gradeLinkId, runId }, select: { id: true } });
  const r = eventRetryOptions();
  const data: LtiScoreJobData = { pushId: push.id };
  await sqlOnlyBoss().send(LTI_SCORE_QUEUE, data, {
    db: prismaExecutor(db),
    retryLimit: r.retryLimit,
    retryDelay: r.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: 120,
  } as PgBoss.SendOptions);
  return push.id;
}

/** Queues a delivery again (the admin's "redeliver"): status pending, a new job, same message id. */
export async function redeliver(db: PrismaClient, deliveryId: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const n = await tx.eventDelivery.updateMany({ where: { id: deliveryId }, data: { status: 'pending' } });
    if (n.count !== 1) return false;
    await enqueueDeliveryJob(tx, deliveryId);
    return true;
  });
}

// A queued run's place in line and an estimate of the wait, from pg-boss's own ordering (priority,
// then age) and the median duration of recent runs.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { BOSS_SCHEMA, GRADE_QUEUE } from './queue.ts';

/** Knobs of queueInfo. */
export interface QueueInfoOptions {
  /** Jobs graded at once across all workers (WORKER_CONCURRENCY x workers). Default 4. */
  concurrency?: number;
  /** How many recent finished runs the median is taken over. Default 50. */
  sampleSize?: number;
  /** The duration assumed when no run has finished yet. Default 60 s. */
  defaultRunSeconds?: number;
}

/** Where a run stands: position is 1 for the next job to start; both null unless QUEUED. */
export interface QueueInfo {
  position: number | null;
  estimatedWaitSeconds: number | null;
}

/**
 * The median of the last `sampleSize` finished runs' durations (PASSED/FAILED/ERROR with both
 * timestamps), preferring the same lab; null when there are none.
 */
export async function medianRunSeconds(
  db: PrismaClient,
  labId: string | null,
  sampleSize = 50,
): Promise<number | null> {
  const rows = await db.$queryRaw<{ median: number | null }[]>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS median FROM (
      SELECT EXTRACT(EPOCH FROM ("finishedAt" - "startedAt"))::float8 AS d
      FROM "GradingRun"
      WHERE "status" IN ('PASSED', 'FAILED', 'ERROR') AND "startedAt" IS NOT NULL AND "finishedAt" IS NOT NULL
        AND (${labId}::text IS NULL OR "labId" = ${labId})
      ORDER BY "finishedAt" DESC
      LIMIT ${sampleSize}
    ) recent`;
  const m = rows[0]?.median;
  return m === null || m === undefined ? null : Number(m);
}

/** 1-based queue position and estimated seconds until the run starts; nulls unless it is QUEUED. */
export async function queueInfo(
  db: PrismaClient,
  runId: string,
  options: QueueInfoOptions = {},
): Promise<QueueInfo> {
  const none = { position: null, estimatedWaitSeconds: null };
  const run = await db.gradingRun.findUnique({ where: { id: runId } });
  if (!run || run.status !== 'QUEUED' || !run.jobId) return none;
  const counts = await db.$queryRawUnsafe<{ ahead: number; running: number; found: boolean }[]>(
    `WITH me AS (SELECT id, priority, created_on FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND id = $2::uuid)
     SELECT
       (SELECT count(*)::int FROM ${BOSS_SCHEMA}.job j, me
         WHERE j.name = $1 AND j.state IN ('created', 'retry') AND j.id <> me.id
           AND (j.priority > me.priority OR (j.priority = me.priority AND (j.created_on, j.id) < (me.created_on, me.id)))) AS ahead,
       (SELECT count(*)::int FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND state = 'active') AS running,
       EXISTS (SELECT 1 FROM me) AS found`,
    GRADE_QUEUE,
    run.jobId,
  );
  const c = counts[0];
  if (!c?.found) return none;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const median =
    (await medianRunSeconds(db, run.labId, options.sampleSize)) ??
    (await medianRunSeconds(db, null, options.sampleSize)) ??
    options.defaultRunSeconds ??
    60;
  // Each slot works through jobs one after another: we start once every job ahead of us and every
  // running job has left a slot, i.e. after floor((ahead + running) / slots) full run durations.
  const waves = Math.floor((c.ahead + c.running) / concurrency);
  return { position: c.ahead + 1, estimatedWaitSeconds: Math.round(waves * median) };
}

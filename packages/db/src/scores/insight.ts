// Class insight for one lab: what the class gets wrong (students whose latest graded run fails a
// check, by the hint the grader gave), how long from a student's first run to their first pass of
// each check, attempts per student, "stuck" students (the same failing hint on their last N graded
// runs) and the lab's days (runs, students, passes, mean score). Read straight from GradingRun and
// CheckResult: these are counts of what happened, not scores (scores are the ledger's).
import type { PrismaClient } from '../generated/prisma/client.ts';

/** A student as the insight names them. */
export interface InsightStudent {
  enrollmentId: string;
  namespace: string;
  name: string;
}

/** One lab's class insight. */
export interface ClassInsight {
  labId: string;
  /** Students with a graded run. */
  students: number;
  failures: { checkId: string; hintKey: string | null; students: InsightStudent[] }[];
  timeToPass: { checkId: string; tried: number; passed: number; medianSeconds: number | null }[];
  attempts: (InsightStudent & { runs: number; lastRunAt: Date | null })[];
  stuck: (InsightStudent & { checkId: string; hintKey: string; runs: number })[];
  byDay: { day: string; runs: number; students: number; passedRuns: number; meanScore: number | null }[];
}

/** The insight of `labId`; `stuckRuns` (2..20) is N for "stuck". */
export async function classInsight(
  db: PrismaClient,
  labId: string,
  opts: { stuckRuns?: number } = {},
): Promise<ClassInsight> {
  const n = Math.max(2, Math.min(20, Math.floor(opts.stuckRuns ?? 3)));
  const [failures, timeToPass, attempts, stuck, byDay] = await Promise.all([
    db.$queryRaw<{ checkId: string; hintKey: string | null; students: InsightStudent[] }[]>`
      WITH latest AS (
        SELECT DISTINCT ON (g."enrollmentId") g.id, g."enrollmentId" FROM "GradingRun" g
        WHERE g."labId" = ${labId} AND g.status IN ('PASSED', 'FAILED') ORDER BY g."enrollmentId", g."queuedAt" DESC)
      SELECT c."checkId", c."hintKey",
             json_agg(json_build_object('enrollmentId', e.id, 'namespace', e.namespace, 'name', u.name) ORDER BY e.namespace) AS students
      FROM latest l JOIN "CheckResult" c ON c."runId" = l.id AND c.status = 'FAIL'
      JOIN "Enrollment" e ON e.id = l."enrollmentId" JOIN "User" u ON u.id = e."userId"
      GROUP BY c."checkId", c."hintKey" ORDER BY count(*) DESC, c."checkId", c."hintKey"`,
    db.$queryRaw<{ checkId: string; tried: number; passed: number; medianSeconds: number | null }[]>`
      WITH firsts AS (
        SELECT g."enrollmentId", min(g."queuedAt") AS first FROM "GradingRun" g
        WHERE g."labId" = ${labId} AND g.status IN ('PASSED', 'FAILED') GROUP BY 1),
      passes AS (
        SELECT g."enrollmentId", c."checkId", min(g."queuedAt") FILTER (WHERE c.status = 'PASS') AS pass
        FROM "GradingRun" g JOIN "CheckResult" c ON c."runId" = g.id
        WHERE g."labId" = ${labId} AND g.status IN ('PASSED', 'FAILED') GROUP BY 1, 2)
      SELECT p."checkId", count(*)::int AS tried, count(p.pass)::int AS passed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.pass - f.first)) FILTER (WHERE p.pass IS NOT NULL) AS "medianSeconds"
      FROM passes p JOIN firsts f ON f."enrollmentId" = p."enrollmentId" GROUP BY p."checkId" ORDER BY p."checkId"`,
    db.$queryRaw<(InsightStudent & { runs: number; lastRunAt: Date | null })[]>`
      SELECT e.id AS "enrollmentId", e.namespace, u.name, count(g.id)::int AS runs, max(g."queuedAt") AS "lastRunAt"
      FROM "Enrollment" e JOIN "User" u ON u.id = e."userId" AND u.role = 'STUDENT'
      LEFT JOIN "GradingRun" g ON g."enrollmentId" = e.id AND g."labId" = ${labId} AND g.status <> 'CANCELLED'
      GROUP BY e.id, e.namespace, u.name ORDER BY runs DESC, e.namespace`,
    db.$queryRaw<(InsightStudent & { checkId: string; hintKey: string; runs: number })[]>`
      WITH ranked AS (
        SELECT g.id, g."enrollmentId", row_number() OVER (PARTITION BY g."enrollmentId" ORDER BY g."queuedAt" DESC) AS k
        FROM "GradingRun" g WHERE g."labId" = ${labId} AND g.status IN ('PASSED', 'FAILED')),
      lastn AS (SELECT * FROM ranked WHERE k <= ${n}),
      full_n AS (SELECT "enrollmentId" FROM lastn GROUP BY 1 HAVING count(*) = ${n})
      SELECT e.id AS "enrollmentId", e.namespace, u.name, c."checkId", c."hintKey", ${n}::int AS runs
      FROM lastn l JOIN full_n f ON f."enrollmentId" = l."enrollmentId"
      JOIN "CheckResult" c ON c."runId" = l.id AND c.status = 'FAIL' AND c."hintKey" IS NOT NULL
      JOIN "Enrollment" e ON e.id = l."enrollmentId" JOIN "User" u ON u.id = e."userId"
      GROUP BY e.id, e.namespace, u.name, c."checkId", c."hintKey" HAVING count(*) = ${n}
      ORDER BY e.namespace, c."checkId"`,
    db.$queryRaw<
      { day: string; runs: number; students: number; passedRuns: number; meanScore: number | null }[]
    >`
      SELECT to_char(g."queuedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS runs,
             count(DISTINCT g."enrollmentId")::int AS students, count(*) FILTER (WHERE g.status = 'PASSED')::int AS "passedRuns",
             avg(g.score) AS "meanScore"
      FROM "GradingRun" g WHERE g."labId" = ${labId} AND g.status IN ('PASSED', 'FAILED') GROUP BY 1 ORDER BY 1`,
  ]);
  const students = await db.gradingRun.groupBy({
    by: ['enrollmentId'],
    where: { labId, status: { in: ['PASSED', 'FAILED'] } },
  });
  return {
    labId,
    students: students.length,
    failures,
    timeToPass: timeToPass.map((t) => ({
      ...t,
      medianSeconds: t.medianSeconds == null ? null : Number(t.medianSeconds),
    })),
    attempts,
    stuck,
    byDay: byDay.map((d) => ({
      ...d,
      meanScore: d.meanScore == null ? null : Math.round(Number(d.meanScore) * 100) / 100,
    })),
  };
}

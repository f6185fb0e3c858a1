// The scoreboard: one SQL statement answers a page of rows and the aggregates over every matching
// row (pass rate per check, score distribution, total). What each row shows (latest run and its
// status, the latest started run's check results, the latest score and the best one) is kept in
// the read model ScoreboardEntry, which triggers on GradingRun and CheckResult recompute in the
// transaction of every write (migration 20261201090617_scoreboard_entry), so reading it is one
// primary-key lookup per enrollment. The matching rows are computed once (a MATERIALIZED CTE)
// and the page and the aggregates read them; the answer is one JSON row. The CSV export calls the
// same function with `first: null`, so the GraphQL scoreboard and the CSV show the same rows.
// The score distribution and the SCORE sort use the ledger's final score (the entry's ledger
// columns, migration 20261201113137_score_ledger), which is also what the CSV and the ledger show.
import { Prisma, type GradingRun, type Lab as LabRow, type PrismaClient } from '@kubegrade/db';
import { toLabView, type LabView } from './labs.ts';

/** Check statuses as the scoreboard reports them. */
export type CellStatus = 'PENDING' | 'RUNNING' | 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED';

/** Sort keys of the scoreboard. */
export type ScoreboardSort = 'NAME' | 'NAMESPACE' | 'SCORE' | 'LAST_GRADED';

/** What to show: filter, order and page. `first: null` returns every row (the CSV export). */
export interface ScoreboardQuery {
  search?: string | null;
  status?: CellStatus | null;
  checkId?: string | null;
  sort?: ScoreboardSort;
  desc?: boolean;
  first?: number | null;
  offset?: number;
}

/** One enrollment's line. */
export interface ScoreboardRowData {
  enrollmentId: string;
  courseId: string;
  userId: string;
  email: string;
  name: string;
  studentId: string | null;
  namespace: string;
  latestRunId: string | null;
  /** The latest run's status, null when never graded. */
  latestStatus: string | null;
  /** Score of the latest finished, non-error run. */
  score: number | null;
  bestScore: number | null;
  /** The ledger's final score (counted run under the lab's policy, late deduction, adjustments). */
  finalScore: number | null;
  countedRunId: string | null;
  latePercent: number;
  adjustment: number;
  maxScore: number;
  lastGradedAt: Date | null;
  cells: { checkId: string; status: CellStatus; points: number }[];
  /** The live lab beside the graded score: null when the lab is not live or never evaluated. */
  live: { status: 'LIVE' | 'PAUSED'; passed: number; checks: number } | null;
}

/** The scoreboard for one lab. */
export interface ScoreboardData {
  total: number;
  rows: ScoreboardRowData[];
  passRateByCheck: {
    checkId: string;
    title: { zh: string; en: string };
    passed: number;
    graded: number;
    rate: number;
  }[];
  scoreDistribution: { from: number; to: number; count: number }[];
}

const SORT_SQL: Record<ScoreboardSort, string> = {
  NAME: 'lower(r.name)',
  NAMESPACE: 'r.namespace',
  SCORE: 'r."finalScore"',
  LAST_GRADED: 'r."lastGradedAt"',
};

/** Every matching row of the scoreboard of `labId`, one per enrollment: the enrollment and its
 *  student joined with its ScoreboardEntry (absent: never graded), cells as that entry keeps them
 *  ({ checkId: { status, points } } of the latest started run; a check without a row is PENDING). */
function matchingRows(
  labId: string,
  checkIds: string[],
  q: ScoreboardQuery,
  enrollmentId?: string,
): Prisma.Sql {
  const conds: Prisma.Sql[] = [Prisma.sql`u.role = 'STUDENT'`];
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(
      Prisma.sql`(u.name ILIKE ${like} OR u.email ILIKE ${like} OR coalesce(u."studentId", '') ILIKE ${like} OR e.namespace ILIKE ${like})`,
    );
  }
  if (q.status && q.checkId) {
    conds.push(Prisma.sql`coalesce(se.cells -> ${q.checkId}::text ->> 'status', 'PENDING') = ${q.status}`);
  } else if (q.status) {
    conds.push(
      Prisma.sql`EXISTS (SELECT 1 FROM unnest(${checkIds}::text[]) AS ck("checkId") WHERE coalesce(se.cells -> ck."checkId" ->> 'status', 'PENDING') = ${q.status})`,
    );
  } else if (q.checkId) {
    conds.push(Prisma.sql`${q.checkId} = ANY(${checkIds}::text[])`);
  }
  if (enrollmentId) conds.push(Prisma.sql`e.id = ${enrollmentId}`);
  return Prisma.sql`
    SELECT e.id AS "enrollmentId", e."courseId", e.namespace, u.id AS "userId", u.email, u.name, u."studentId",
           se."latestRunId", se."latestStatus"::text AS "latestStatus", se.score, se."lastGradedAt", se."bestScore",
           se."finalScore", se."countedRunId", coalesce(se."latePercent", 0) AS "latePercent", coalesce(se.adjustment, 0) AS adjustment,
           coalesce(se.cells, '{}'::jsonb) AS cells,
           CASE WHEN ls."labId" IS NULL THEN NULL WHEN ls.live AND ls."confirmedAt" > now() - interval '60 seconds' THEN 'LIVE' ELSE 'PAUSED' END AS "liveStatus",
           (SELECT count(*)::int FROM jsonb_array_elements(ls.checks) lc WHERE lc ->> 'status' = 'pass') AS "livePassed",
           (SELECT count(*)::int FROM jsonb_array_elements(ls.checks) lc WHERE lc ->> 'status' <> 'grade-only') AS "liveChecks"
    FROM "Enrollment" e
    JOIN "User" u ON u.id = e."userId"
    LEFT JOIN "ScoreboardEntry" se ON se."labId" = ${labId} AND se."enrollmentId" = e.id
    LEFT JOIN "LiveState" ls ON ls."labId" = ${labId} AND ls."enrollmentId" = e.id
    WHERE ${Prisma.join(conds, ' AND ')}`;
}

/** A row as the statement's JSON has it (timestamps as text). */
interface JsonRow extends Omit<ScoreboardRowData, 'maxScore' | 'cells' | 'lastGradedAt' | 'live'> {
  lastGradedAt: string | null;
  liveStatus: 'LIVE' | 'PAUSED' | null;
  livePassed: number | null;
  liveChecks: number | null;
  cells: Record<string, { status: CellStatus; points: number } | undefined>;
}

interface Answer {
  rows: JsonRow[] | null;
  checks: { checkId: string; passed: number; graded: number }[] | null;
  scores: number[] | null;
  total: number;
}

/** The scoreboard of `lab` with filter, sort and page; `enrollmentId` narrows it to one row. */
export async function queryScoreboard(
  db: PrismaClient,
  lab: LabView,
  q: ScoreboardQuery,
  enrollmentId?: string,
): Promise<ScoreboardData> {
  const checkIds = lab.checks.map((c) => c.id);
  const dir = Prisma.raw(q.desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST');
  const order = Prisma.raw(SORT_SQL[q.sort ?? 'NAME']);
  const limit = q.first == null ? Prisma.empty : Prisma.sql`LIMIT ${q.first}`;
  const [answer] = await db.$queryRaw<Answer[]>`
    WITH r AS MATERIALIZED (${matchingRows(lab.id, checkIds, q, enrollmentId)})
    SELECT
      (SELECT json_agg(p) FROM (
         SELECT r."enrollmentId", r."courseId", r."userId", r.email, r.name, r."studentId", r.namespace,
                r."latestRunId", r."latestStatus", r.score, r."bestScore", r."lastGradedAt", r.cells,
                r."finalScore", r."countedRunId", r."latePercent", r.adjustment,
                r."liveStatus", r."livePassed", r."liveChecks"
         FROM r ORDER BY ${order} ${dir}, lower(r.name), r."enrollmentId"
         ${limit} OFFSET ${q.offset ?? 0}) p) AS rows,
      (SELECT json_agg(t) FROM (
         SELECT ck."checkId", count(*) FILTER (WHERE r.cells -> ck."checkId" ->> 'status' = 'PASS')::int AS passed,
                count(*) FILTER (WHERE r.cells -> ck."checkId" ->> 'status' IN ('PASS', 'FAIL'))::int AS graded
         FROM r CROSS JOIN unnest(${checkIds}::text[]) AS ck("checkId")
         GROUP BY ck."checkId") t) AS checks,
      (SELECT json_agg(r."finalScore") FROM r WHERE r."finalScore" IS NOT NULL) AS scores,
      (SELECT count(*)::int FROM r) AS total`;
  const byCheck = new Map((answer?.checks ?? []).map((c) => [c.checkId, c]));
  return {
    total: answer?.total ?? 0,
    rows: (answer?.rows ?? []).map((r) => toRowData(r, lab, checkIds)),
    passRateByCheck: lab.checks.map((c) => {
      const a = byCheck.get(c.id);
      const passed = a?.passed ?? 0;
      const graded = a?.graded ?? 0;
      return { checkId: c.id, title: c.title, passed, graded, rate: graded ? passed / graded : 0 };
    }),
    scoreDistribution: distribution((answer?.scores ?? []).map(Number), lab.maxScore),
  };
}

/** A row of the statement's JSON as the scoreboard returns it: numbers, a Date, cells in lab order.
 *  Built property by property (no rest/spread: V8 makes those dictionary objects, and this runs
 *  for every row of every scoreboard and CSV). */
function toRowData(
  r: JsonRow,
  lab: LabView,
  checkIds: string[] = lab.checks.map((c) => c.id),
): ScoreboardRowData {
  return {
    enrollmentId: r.enrollmentId,
    courseId: r.courseId,
    userId: r.userId,
    email: r.email,
    name: r.name,
    studentId: r.studentId,
    namespace: r.namespace,
    latestRunId: r.latestRunId,
    latestStatus: r.latestStatus,
    countedRunId: r.countedRunId,
    live:
      lab.liveEnabled && r.liveStatus
        ? { status: r.liveStatus, passed: Number(r.livePassed ?? 0), checks: Number(r.liveChecks ?? 0) }
        : null,
    score: r.score == null ? null : Number(r.score),
    bestScore: r.bestScore == null ? null : Number(r.bestScore),
    finalScore: r.finalScore == null ? null : Number(r.finalScore),
    latePercent: Number(r.latePercent),
    adjustment: Number(r.adjustment),
    lastGradedAt: r.lastGradedAt == null ? null : new Date(r.lastGradedAt),
    maxScore: lab.maxScore,
    cells: checkIds.map((checkId) => {
      const c = r.cells[checkId];
      return { checkId, status: c?.status ?? 'PENDING', points: c ? Number(c.points) : 0 };
    }),
  };
}

/**
 * One enrollment's scoreboard row with its lab and its latest run, in one statement: what the live
 * scoreboard sends for each event (a read-model row, no aggregates). null when the lab or the
 * student's enrollment is gone.
 */
export async function scoreboardRow(
  db: PrismaClient,
  labId: string,
  enrollmentId: string,
): Promise<{ lab: LabView; row: ScoreboardRowData; latestRun: GradingRun | null } | null> {
  const [found] = await db.$queryRaw<
    (LabRow & { entry: JsonRow | null; latestRun: Record<string, unknown> | null })[]
  >`
    SELECT l.*, (SELECT row_to_json(r) FROM (${matchingRows(labId, [], {}, enrollmentId)}) r) AS entry,
           (SELECT to_jsonb(g) FROM "ScoreboardEntry" se JOIN "GradingRun" g ON g.id = se."latestRunId"
            WHERE se."labId" = l.id AND se."enrollmentId" = ${enrollmentId}) AS "latestRun"
    FROM "Lab" l WHERE l.id = ${labId}`;
  if (!found) return null;
  const { entry, latestRun, ...labRow } = found;
  const lab = toLabView(labRow as LabRow);
  return entry
    ? { lab, row: toRowData(entry, lab), latestRun: latestRun ? runFromJson(latestRun) : null }
    : null;
}

/** A GradingRun read as JSON (to_jsonb), with its timestamps as Dates as Prisma returns them. */
function runFromJson(json: Record<string, unknown>): GradingRun {
  const run = { ...json };
  for (const k of ['queuedAt', 'startedAt', 'finishedAt', 'updatedAt'])
    run[k] = run[k] == null ? null : new Date(run[k] as string);
  return run as unknown as GradingRun;
}

/** Ten equal buckets from 0 to maxScore (the last one includes maxScore). */
export function distribution(
  scores: number[],
  maxScore: number,
): { from: number; to: number; count: number }[] {
  const n = 10;
  const width = maxScore > 0 ? maxScore / n : 1;
  const buckets = Array.from({ length: n }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const s of scores) {
    const i = Math.min(n - 1, Math.max(0, Math.floor(s / width)));
    buckets[i]!.count += 1;
  }
  return buckets;
}

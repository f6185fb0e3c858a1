// The scoreboard: one SQL query for the page of rows (latest run per enrollment via DISTINCT ON,
// best score, per-check status of the latest started run) and one for the aggregates over every
// matching row (pass rate per check, score distribution). The CSV export calls the same function.
import { Prisma, type PrismaClient } from '@kubegrade/db';
import type { LabView } from './labs.ts';

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
  maxScore: number;
  lastGradedAt: Date | null;
  cells: { checkId: string; status: CellStatus; points: number }[];
}

/** The scoreboard for one lab. */
export interface ScoreboardData {
  total: number;
  rows: ScoreboardRowData[];
  passRateByCheck: { checkId: string; title: { zh: string; en: string }; passed: number; graded: number; rate: number }[];
  scoreDistribution: { from: number; to: number; count: number }[];
}

const SORT_SQL: Record<ScoreboardSort, string> = {
  NAME: 'lower(r.name)',
  NAMESPACE: 'r.namespace',
  SCORE: 'r.score',
  LAST_GRADED: 'r."lastGradedAt"',
};

function filteredRows(labId: string, checkIds: string[], q: ScoreboardQuery, enrollmentId?: string): Prisma.Sql {
  const conds: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(
      Prisma.sql`(b.name ILIKE ${like} OR b.email ILIKE ${like} OR coalesce(b."studentId", '') ILIKE ${like} OR b.namespace ILIKE ${like})`,
    );
  }
  if (q.status && q.checkId) {
    conds.push(
      Prisma.sql`EXISTS (SELECT 1 FROM cells x WHERE x."enrollmentId" = b."enrollmentId" AND x."checkId" = ${q.checkId} AND x.status = ${q.status})`,
    );
  } else if (q.status) {
    conds.push(Prisma.sql`EXISTS (SELECT 1 FROM cells x WHERE x."enrollmentId" = b."enrollmentId" AND x.status = ${q.status})`);
  } else if (q.checkId) {
    conds.push(Prisma.sql`${q.checkId} = ANY(${checkIds}::text[])`);
  }
  if (enrollmentId) conds.push(Prisma.sql`b."enrollmentId" = ${enrollmentId}`);
  return Prisma.sql`
    WITH base AS (
      SELECT e.id AS "enrollmentId", e."courseId", e.namespace, u.id AS "userId", u.email, u.name, u."studentId"
      FROM "Enrollment" e JOIN "User" u ON u.id = e."userId"
      WHERE u.role = 'STUDENT'
    ),
    latest AS (
      SELECT DISTINCT ON (g."enrollmentId") g."enrollmentId", g.id, g.status::text AS status
      FROM "GradingRun" g WHERE g."labId" = ${labId}
      ORDER BY g."enrollmentId", g."queuedAt" DESC
    ),
    shown AS (
      SELECT DISTINCT ON (g."enrollmentId") g."enrollmentId", g.id
      FROM "GradingRun" g WHERE g."labId" = ${labId} AND g.status IN ('RUNNING', 'PASSED', 'FAILED', 'ERROR')
      ORDER BY g."enrollmentId", g."queuedAt" DESC
    ),
    scored AS (
      SELECT DISTINCT ON (g."enrollmentId") g."enrollmentId", g.score, g."finishedAt"
      FROM "GradingRun" g WHERE g."labId" = ${labId} AND g.status IN ('PASSED', 'FAILED')
      ORDER BY g."enrollmentId", g."queuedAt" DESC
    ),
    best AS (
      SELECT g."enrollmentId", max(g.score) AS best
      FROM "GradingRun" g WHERE g."labId" = ${labId} AND g.status IN ('PASSED', 'FAILED')
      GROUP BY g."enrollmentId"
    ),
    cells AS (
      SELECT b."enrollmentId", ck.ord, ck."checkId",
             coalesce(c.status::text, 'PENDING') AS status, coalesce(c.points, 0)::float8 AS points
      FROM base b
      LEFT JOIN shown s ON s."enrollmentId" = b."enrollmentId"
      CROSS JOIN unnest(${checkIds}::text[]) WITH ORDINALITY AS ck("checkId", ord)
      LEFT JOIN "CheckResult" c ON c."runId" = s.id AND c."checkId" = ck."checkId"
    ),
    rows AS (
      SELECT b.*, l.id AS "latestRunId", l.status AS "latestStatus", sc.score, sc."finishedAt" AS "lastGradedAt",
             bs.best AS "bestScore"
      FROM base b
      LEFT JOIN latest l ON l."enrollmentId" = b."enrollmentId"
      LEFT JOIN scored sc ON sc."enrollmentId" = b."enrollmentId"
      LEFT JOIN best bs ON bs."enrollmentId" = b."enrollmentId"
      WHERE ${Prisma.join(conds, ' AND ')}
    )`;
}

interface RawRow extends Omit<ScoreboardRowData, 'maxScore' | 'cells'> {
  cells: ScoreboardRowData['cells'] | null;
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
  const cte = filteredRows(lab.id, checkIds, q, enrollmentId);
  const dir = Prisma.raw(q.desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST');
  const order = Prisma.raw(SORT_SQL[q.sort ?? 'NAME']);
  const limit = q.first == null ? Prisma.empty : Prisma.sql`LIMIT ${q.first}`;
  const rows = await db.$queryRaw<RawRow[]>`
    ${cte}
    SELECT r.*, count(*) OVER ()::int AS total,
      (SELECT json_agg(json_build_object('checkId', x."checkId", 'status', x.status, 'points', x.points) ORDER BY x.ord)
         FROM cells x WHERE x."enrollmentId" = r."enrollmentId") AS cells
    FROM rows r
    ORDER BY ${order} ${dir}, lower(r.name), r."enrollmentId"
    ${limit} OFFSET ${q.offset ?? 0}`;
  const [agg] = await db.$queryRaw<{ checks: { checkId: string; passed: number; graded: number }[] | null; scores: number[] | null; total: number }[]>`
    ${cte}
    SELECT
      (SELECT json_agg(t) FROM (
         SELECT x."checkId", count(*) FILTER (WHERE x.status = 'PASS')::int AS passed,
                count(*) FILTER (WHERE x.status IN ('PASS', 'FAIL'))::int AS graded
         FROM cells x JOIN rows r ON r."enrollmentId" = x."enrollmentId" GROUP BY x."checkId") t) AS checks,
      (SELECT json_agg(r.score) FROM rows r WHERE r.score IS NOT NULL) AS scores,
      (SELECT count(*)::int FROM rows) AS total`;
  const byCheck = new Map((agg?.checks ?? []).map((c) => [c.checkId, c]));
  return {
    total: agg?.total ?? 0,
    rows: rows.map(({ total: _t, ...r }) => ({
      ...r,
      score: r.score == null ? null : Number(r.score),
      bestScore: r.bestScore == null ? null : Number(r.bestScore),
      maxScore: lab.maxScore,
      cells: (r.cells ?? []).map((c) => ({ checkId: c.checkId, status: c.status, points: Number(c.points) })),
    })),
    passRateByCheck: lab.checks.map((c) => {
      const a = byCheck.get(c.id);
      const passed = a?.passed ?? 0;
      const graded = a?.graded ?? 0;
      return { checkId: c.id, title: c.title, passed, graded, rate: graded ? passed / graded : 0 };
    }),
    scoreDistribution: distribution(agg?.scores ?? [], lab.maxScore),
  };
}

/** Ten equal buckets from 0 to maxScore (the last one includes maxScore). */
export function distribution(scores: number[], maxScore: number): { from: number; to: number; count: number }[] {
  const n = 10;
  const width = maxScore > 0 ? maxScore / n : 1;
  const buckets = Array.from({ length: n }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const s of scores) {
    const i = Math.min(n - 1, Math.max(0, Math.floor(s / width)));
    buckets[i]!.count += 1;
  }
  return buckets;
}

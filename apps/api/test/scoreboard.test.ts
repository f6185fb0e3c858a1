// The scoreboard and its CSV export for a seeded class with every kind of run history: the
// GraphQL rows, the CSV lines and a recomputation from the runs themselves all agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { agents, setup, type Harness } from './helpers.ts';
import { seed } from '../src/seed.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;

const CHECKS = ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns', 'redis-persistence'];
const POINTS = [15, 15, 25, 20, 25];
type RunStatus = 'QUEUED' | 'RUNNING' | 'PASSED' | 'FAILED' | 'ERROR' | 'CANCELLED';
type Cell = 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED' | 'RUNNING';
/** Runs per student, oldest first: status and the check results written so far. */
const HISTORY: Record<string, { lab?: string; status: RunStatus; cells: Cell[] }[]> = {
  cyd: [
    { status: 'PASSED', cells: ['PASS', 'PASS', 'PASS', 'PASS', 'PASS'] },
    { status: 'FAILED', cells: ['PASS', 'FAIL', 'SKIPPED', 'SKIPPED', 'SKIPPED'] },
  ],
  dee: [
    { status: 'FAILED', cells: ['PASS', 'PASS', 'FAIL', 'SKIPPED', 'SKIPPED'] },
    { status: 'RUNNING', cells: ['PASS', 'RUNNING'] },
  ],
  eli: [
    { status: 'PASSED', cells: ['PASS', 'PASS', 'PASS', 'PASS', 'PASS'] },
    { status: 'ERROR', cells: ['PASS', 'ERROR', 'SKIPPED', 'SKIPPED', 'SKIPPED'] },
  ],
  fox: [
    { status: 'FAILED', cells: ['FAIL', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED'] },
    { status: 'CANCELLED', cells: [] },
  ],
  gus: [
    { status: 'PASSED', cells: ['PASS', 'PASS', 'PASS', 'PASS', 'PASS'] },
    { status: 'QUEUED', cells: [] },
  ],
  hal: [{ lab: 'pv-claimref', status: 'PASSED', cells: ['PASS', 'PASS'] }],
  bob: [{ status: 'QUEUED', cells: [] }],
  // ann: never graded
};

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  const extra = await seed(h.db, {
    courseSlug: 'k8s-storage',
    instructor: { email: 'teacher@example.edu', password: 'correct horse battery' },
    students: ['cyd', 'dee', 'eli', 'fox', 'gus', 'hal'].map((n, i) => ({
      email: `${n}@example.edu`,
      name: `${n[0]!.toUpperCase()}${n.slice(1)} Example`,
      studentId: `y${i}`,
      namespace: n,
    })),
  });
  const enrollments = [...h.seeded.students, ...extra.students];
  const t0 = Date.now() - 3600_000;
  let minute = 0;
  for (const [ns, runs] of Object.entries(HISTORY)) {
    const enrollment = enrollments.find((e) => e.namespace === ns)!;
    for (const r of runs) {
      const at = new Date(t0 + minute++ * 60_000);
      const finished = ['PASSED', 'FAILED', 'ERROR', 'CANCELLED'].includes(r.status);
      const score = r.cells.reduce((sum, c, i) => sum + (c === 'PASS' ? POINTS[i]! : 0), 0);
      const lab = r.lab ?? h.labId;
      const checkIds = lab === h.labId ? CHECKS : ['pv-claimref', 'pvc-bound'];
      await h.db.gradingRun.create({
        data: {
          enrollmentId: enrollment.enrollmentId,
          labId: lab,
          namespace: ns,
          trigger: 'STUDENT',
          status: r.status,
          score: r.status === 'PASSED' || r.status === 'FAILED' ? score : null,
          maxScore: 100,
          queuedAt: at,
          startedAt: r.status === 'QUEUED' || r.cells.length === 0 ? null : new Date(at.getTime() + 1000),
          finishedAt: finished ? new Date(at.getTime() + 20_000) : null,
          checks: {
            create: r.cells.map((c, i) => ({
              checkId: checkIds[i]!,
              position: i,
              status: c,
              points: c === 'PASS' ? POINTS[i]! : 0,
              maxPoints: POINTS[i]!,
            })),
          },
        },
      });
    }
  }
});
afterAll(async () => {
  await h?.close();
});

interface GqlRow {
  namespace: string;
  score: number | null;
  bestScore: number | null;
  maxScore: number;
  lastGradedAt: string | null;
  student: { email: string; name: string; studentId: string | null };
  latestRun: { id: string; status: string } | null;
  cells: { checkId: string; status: string; points: number }[];
  finalScore: number | null;
  countedRunId: string | null;
  latePercent: number;
  adjustment: number;
}
const Q = `query($l: ID!, $f: ScoreboardFilter) { scoreboard(labId: $l, filter: $f, first: 20) {
  total rows { namespace score bestScore maxScore lastGradedAt student { email name studentId } latestRun { id status } cells { checkId status points }
  finalScore countedRunId latePercent adjustment } } }`;

async function graphqlRows(filter?: Record<string, string>): Promise<GqlRow[]> {
  const res = await as.instructor.gql<{ scoreboard: { total: number; rows: GqlRow[] } }>(Q, {
    l: h.labId,
    f: filter ?? null,
  });
  expect(res.errors).toBeUndefined();
  expect(res.data!.scoreboard.total).toBe(res.data!.scoreboard.rows.length);
  return res.data!.scoreboard.rows;
}

async function csvRows(query = ''): Promise<Record<string, string>[]> {
  const res = await as.instructor.request('GET', `/export/scoreboard/${h.labId}.csv${query}`);
  expect(res.statusCode).toBe(200);
  return parse(res.body, { columns: true }) as Record<string, string>[];
}

/** A GraphQL row as the CSV writes it. */
function asCsv(r: GqlRow): Record<string, string> {
  return {
    email: r.student.email,
    name: r.student.name,
    student_id: r.student.studentId ?? '',
    namespace: r.namespace,
    ...Object.fromEntries(r.cells.map((c) => [c.checkId, c.status])),
    score: r.score == null ? '' : String(r.score),
    max_score: String(r.maxScore),
    best_score: r.bestScore == null ? '' : String(r.bestScore),
    status: r.latestRun?.status ?? 'NOT_GRADED',
    last_graded_at: r.lastGradedAt ?? '',
    final_score: r.finalScore == null ? '' : String(r.finalScore),
    counted_run_id: r.countedRunId ?? '',
    late_deduction_percent: String(r.latePercent),
    adjustment: String(r.adjustment),
  };
}

/** The rows recomputed from the runs and check results, without the scoreboard's SQL. */
async function recomputed(): Promise<Record<string, string>[]> {
  const enrollments = await h.db.enrollment.findMany({
    where: { user: { role: 'STUDENT' } },
    include: { user: true },
  });
  const runs = await h.db.gradingRun.findMany({
    where: { labId: h.labId },
    include: { checks: true },
    orderBy: { queuedAt: 'desc' },
  });
  return enrollments
    .map((e) => {
      const mine = runs.filter((r) => r.enrollmentId === e.id);
      const shown = mine.find((r) => ['RUNNING', 'PASSED', 'FAILED', 'ERROR'].includes(r.status));
      const scored = mine.filter((r) => r.status === 'PASSED' || r.status === 'FAILED');
      return {
        email: e.user.email,
        name: e.user.name,
        student_id: e.user.studentId ?? '',
        namespace: e.namespace,
        ...Object.fromEntries(
          CHECKS.map((c) => [c, shown?.checks.find((x) => x.checkId === c)?.status ?? 'PENDING']),
        ),
        score: scored[0]?.score == null ? '' : String(scored[0].score),
        max_score: '100',
        best_score: scored.length ? String(Math.max(...scored.map((r) => r.score ?? 0))) : '',
        status: mine[0]?.status ?? 'NOT_GRADED',
        last_graded_at: scored[0]?.finishedAt?.toISOString() ?? '',
        // The lab has no schedule: the default policy (LAST) counts the latest graded run as is.
        final_score: scored[0]?.score == null ? '' : String(scored[0].score),
        counted_run_id: scored[0]?.id ?? '',
        late_deduction_percent: '0',
        adjustment: '0',
      };
    })
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

describe('scoreboard: GraphQL and CSV from the same rows', () => {
  it('every row and cell of the GraphQL scoreboard is the CSV line, and both match the runs', async () => {
    const [gql, csv, expected] = await Promise.all([graphqlRows(), csvRows(), recomputed()]);
    expect(gql.map(asCsv)).toEqual(csv);
    expect(csv).toEqual(expected);
    // The class covers every history above (and Ann, never graded).
    expect(csv.map((r) => [r.namespace, r.status, r.score, r.best_score])).toEqual([
      ['ann', 'NOT_GRADED', '', ''],
      ['bob', 'QUEUED', '', ''],
      ['cyd', 'FAILED', '15', '100'],
      ['dee', 'RUNNING', '30', '30'],
      ['eli', 'ERROR', '100', '100'],
      ['fox', 'CANCELLED', '0', '0'],
      ['gus', 'QUEUED', '100', '100'],
      ['hal', 'NOT_GRADED', '', ''],
    ]);
    expect(csv.find((r) => r.namespace === 'dee')).toMatchObject({
      'pv-claimref': 'PASS',
      'pvc-bound': 'RUNNING',
      'statefulset-ready': 'PENDING',
    });
    expect(csv.find((r) => r.namespace === 'eli')).toMatchObject({ 'pvc-bound': 'ERROR' });
  });

  it('filtered views agree too', async () => {
    const filters: Record<string, string>[] = [
      { status: 'PENDING' },
      { status: 'FAIL', checkId: 'pvc-bound' },
      { search: 'example.edu', status: 'PASS' },
    ];
    for (const f of filters) {
      const [gql, csv] = await Promise.all([
        graphqlRows(f),
        csvRows(`?${new URLSearchParams(f).toString()}`),
      ]);
      expect(gql.map(asCsv)).toEqual(csv);
      expect(csv.length).toBeGreaterThan(0);
    }
  });
});

// Figure 4: the instructor scoreboard (GraphQL) and its CSV export for 500 students x 5 checks with
// 20 runs each, served by the real api (buildServer, in-process inject) over real PostgreSQL.
import { createTestDatabase } from '@kubegrade/db';
import { buildServer, loadConfig, seed, syncLabs } from '@kubegrade/api';
import { listLabs } from '@kubegrade/grader';

const LAB = 'redis-exist-pvc';

/** p-th percentile of xs. */
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Server time and size of the scoreboard and its CSV. */
export interface ScoreboardFigures {
  students: number;
  runs: number;
  graphql: { p50: number; p95: number; bytes: number };
  csv: { p50: number; p95: number; bytes: number };
}

/** Fills a fresh database, then times `reps` scoreboard queries (all rows) and CSV exports. */
export async function scoreboardFigures(students = 500, runsPerStudent = 20, reps = 20): Promise<ScoreboardFigures> {
  const db = await createTestDatabase();
  try {
    await syncLabs(db.prisma, listLabs());
    const password = 'bench-instructor-password';
    await seed(db.prisma, {
      courseSlug: 'bench',
      instructor: { email: 'bench-instructor@example.edu', password },
      students: Array.from({ length: students }, (_, i) => ({ email: `s${i}@example.edu`, name: `Student ${i}`, namespace: `ns-${String(i).padStart(4, '0')}` })),
    });
    // 20 finished runs per enrollment, each with the lab's 5 checks, pass/fail spread by hash.
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "GradingRun" ("enrollmentId", "labId", namespace, trigger, status, disruptive, score, "maxScore", "queuedAt", "startedAt", "finishedAt")
      SELECT e.id, '${LAB}', e.namespace, 'STUDENT', CASE WHEN (hashtext(e.id) + g) % 3 = 0 THEN 'FAILED'::"RunStatus" ELSE 'PASSED'::"RunStatus" END, true,
             CASE WHEN (hashtext(e.id) + g) % 3 = 0 THEN 60 ELSE 100 END, 100,
             now() - make_interval(mins => 30 * (${runsPerStudent} - g)), now() - make_interval(mins => 30 * (${runsPerStudent} - g)), now() - make_interval(mins => 30 * (${runsPerStudent} - g)) + interval '20 seconds'
      FROM "Enrollment" e CROSS JOIN generate_series(1, ${runsPerStudent}) g`);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "CheckResult" ("runId", "checkId", position, status, points, "maxPoints", message)
      SELECT r.id, c.id, c.pos, CASE WHEN r.status = 'FAILED' AND c.id = 'headless-dns' THEN 'FAIL'::"CheckStatus" ELSE 'PASS'::"CheckStatus" END,
             CASE WHEN r.status = 'FAILED' AND c.id = 'headless-dns' THEN 0 ELSE 20 END, 20, 'bench'
      FROM "GradingRun" r CROSS JOIN (VALUES ('pv-claimref', 0), ('pvc-bound', 1), ('statefulset-ready', 2), ('headless-dns', 3), ('redis-persistence', 4)) AS c(id, pos)`);
    await db.prisma.$executeRawUnsafe('ANALYZE');
    const runs = await db.prisma.gradingRun.count();

    const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const app = await buildServer(config);
    try {
      let cookie = '';
      const keep = (h: string | string[] | undefined) => {
        for (const c of [h ?? []].flat()) cookie = c.split(';')[0]!;
      };
      const csrfRes = await app.inject({ method: 'GET', url: '/auth/csrf' });
      keep(csrfRes.headers['set-cookie']);
      const token = (csrfRes.json() as { token: string }).token;
      const login = await app.inject({ method: 'POST', url: '/auth/login', headers: { cookie, 'x-csrf-token': token }, payload: { email: 'bench-instructor@example.edu', password } });
      if (login.statusCode !== 200) throw new Error(`bench sign-in refused: ${login.body}`);
      keep(login.headers['set-cookie']);
      const query = `query($lab: ID!, $first: Int) { scoreboard(labId: $lab, first: $first) { total rows { namespace score bestScore maxScore lastGradedAt student { email name } cells { checkId status } } passRateByCheck { checkId } scoreDistribution { __typename } } }`;
      const gq: number[] = [];
      const csv: number[] = [];
      let gBytes = 0;
      let cBytes = 0;
      for (let i = 0; i < reps; i++) {
        let t = performance.now();
        const g = await app.inject({ method: 'POST', url: '/graphql', headers: { cookie, 'x-csrf-token': token }, payload: { query, variables: { lab: LAB, first: students } } });
        gq.push(performance.now() - t);
        const body = g.json() as { data?: { scoreboard: { total: number } }; errors?: { message: string }[] };
        if (!body.data || body.data.scoreboard.total !== students) throw new Error(`scoreboard query failed: ${g.body.slice(0, 500)}`);
        gBytes = g.rawPayload.length;
        t = performance.now();
        const c = await app.inject({ method: 'GET', url: `/export/scoreboard/${LAB}.csv`, headers: { cookie } });
        csv.push(performance.now() - t);
        if (c.statusCode !== 200) throw new Error(`CSV export failed: HTTP ${c.statusCode} ${c.body.slice(0, 300)}`);
        cBytes = c.rawPayload.length;
      }
      return { students, runs, graphql: { p50: pct(gq, 50), p95: pct(gq, 95), bytes: gBytes }, csv: { p50: pct(csv, 50), p95: pct(csv, 95), bytes: cBytes } };
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
  }
}

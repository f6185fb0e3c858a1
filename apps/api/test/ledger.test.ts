// Deadlines, the score policy, extensions, adjustments and the score ledger over GraphQL: who may
// read and change what, what the ledger says after a due date in the past with a late step, and
// that the scoreboard, the CSV and the ledger give the same final score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let ann: string;
let bob: string;
const DAY = 86_400_000;
const due = new Date(Date.now() - 3 * DAY);
const runIds: Record<string, string> = {};

const LEDGER = `query($l: ID!, $e: ID) { scoreLedger(labId: $l, enrollmentId: $e) {
  courseTimeZone effectiveDueAt finalScore adjustmentTotal
  schedule { dueAt latePenaltyPercent lateStepHours lateFloorPercent scorePolicy }
  extension { dueAt reason }
  counted { run { id } reason score lateSteps latePercent scoreAfterLate checks { checkId status points } }
  adjustments { points reason actor }
  runs { run { id } practice lateSteps latePercent effectiveScore counted } } }`;
/** The ledger as LEDGER asks for it (only what the assertions read is typed). */
interface LedgerBody {
  courseTimeZone: string;
  finalScore: number | null;
  extension: { dueAt: string; reason: string | null } | null;
  counted: { run: { id: string }; latePercent: number; checks: unknown[] } | null;
  adjustments: { points: number; reason: string; actor: string | null }[];
  runs: { run: { id: string }; practice: boolean; counted: boolean }[];
}
const SCHEDULE = `mutation($l: ID!, $i: LabScheduleInput!) { setLabSchedule(labId: $l, input: $i) { id schedule { dueAt latePenaltyPercent scorePolicy } } }`;

async function run(enrollmentId: string, namespace: string, queuedAt: Date, passed: string[]) {
  const points: Record<string, number> = {
    'pv-claimref': 15,
    'pvc-bound': 15,
    'statefulset-ready': 25,
    'headless-dns': 20,
    'redis-persistence': 25,
  };
  const score = passed.reduce((s, c) => s + points[c]!, 0);
  const r = await h.db.gradingRun.create({
    data: {
      enrollmentId,
      labId: h.labId,
      namespace,
      trigger: 'STUDENT',
      status: score === 100 ? 'PASSED' : 'FAILED',
      score,
      maxScore: 100,
      queuedAt,
      startedAt: queuedAt,
      finishedAt: queuedAt,
      labVersion: '1',
      graderVersion: 'test',
      checks: {
        create: Object.keys(points).map((c, i) => ({
          checkId: c,
          position: i,
          status: passed.includes(c) ? 'PASS' : 'FAIL',
          points: passed.includes(c) ? points[c]! : 0,
          maxPoints: points[c]!,
        })),
      },
    },
  });
  return r.id;
}

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  ann = h.seeded.students.find((s) => s.namespace === 'ann')!.enrollmentId;
  bob = h.seeded.students.find((s) => s.namespace === 'bob')!.enrollmentId;
  runIds.annOnTime = await run(ann, 'ann', new Date(due.getTime() - DAY), ['pv-claimref', 'pvc-bound']);
  runIds.annLate = await run(ann, 'ann', new Date(due.getTime() + 1.5 * DAY), [
    'pv-claimref',
    'pvc-bound',
    'statefulset-ready',
    'headless-dns',
    'redis-persistence',
  ]);
  runIds.bobLate = await run(bob, 'bob', new Date(due.getTime() + 0.5 * DAY), [
    'pv-claimref',
    'pvc-bound',
    'statefulset-ready',
    'headless-dns',
    'redis-persistence',
  ]);
});
afterAll(async () => {
  await h?.close();
});

describe('schedule and ledger', () => {
  it('only staff set the schedule; bad dates and rules are refused with the reason', async () => {
    const input = {
      dueAt: due.toISOString(),
      latePenaltyPercent: 10,
      lateStepHours: 24,
      lateFloorPercent: 50,
      scorePolicy: 'BEST',
    };
    const denied = await as.student.gql(SCHEDULE, { l: h.labId, i: input });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await as.instructor.gql(SCHEDULE, {
      l: h.labId,
      i: { ...input, opensAt: new Date(due.getTime() + DAY).toISOString() },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/open date must be before the due date/);
    const noDue = await as.instructor.gql(SCHEDULE, {
      l: h.labId,
      i: { latePenaltyPercent: 10, scorePolicy: 'LAST' },
    });
    expect(noDue.errors?.[0]?.message).toMatch(/late steps need a due date/);
    const ok = await as.instructor.gql<{
      setLabSchedule: { schedule: { dueAt: string; latePenaltyPercent: number } };
    }>(SCHEDULE, { l: h.labId, i: input });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.setLabSchedule.schedule).toMatchObject({
      dueAt: due.toISOString(),
      latePenaltyPercent: 10,
    });
    const audit = await h.db.auditEntry.findFirst({
      where: { action: 'lab.schedule' },
      orderBy: { at: 'desc' },
    });
    expect(audit?.after).toMatchObject({ latePenaltyPercent: 10, scorePolicy: 'BEST' });
  });

  it("a student's ledger (their own, from the session) shows the counted run, the late deduction and the rule", async () => {
    const res = await as.student.gql<{ scoreLedger: LedgerBody }>(LEDGER, { l: h.labId });
    expect(res.errors).toBeUndefined();
    const l = res.data!.scoreLedger;
    // 100 points, 1.5 days late: 2 started days at 10% = 80, better than the 30 on time.
    expect(l.counted).toMatchObject({
      run: { id: runIds.annLate },
      reason: 'BEST',
      score: 100,
      lateSteps: 2,
      latePercent: 20,
      scoreAfterLate: 80,
    });
    expect(l.counted?.checks).toHaveLength(5);
    expect(l.finalScore).toBe(80);
    expect(l.courseTimeZone).toBe('UTC');
    expect(l.runs.map((r) => [r.run.id, r.counted])).toEqual([
      [runIds.annLate, true],
      [runIds.annOnTime, false],
    ]);
    // Another student's ledger is not hers to read.
    const other = await as.student.gql(LEDGER, { l: h.labId, e: bob });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('an extension moves the due date; an adjustment needs a reason and is audited; students can do neither', async () => {
    const ext = `mutation($l: ID!, $e: ID!, $d: DateTime!, $r: String) { setExtension(labId: $l, enrollmentId: $e, dueAt: $d, reason: $r) { dueAt reason enrollment { namespace } } }`;
    expect(
      (await as.student.gql(ext, { l: h.labId, e: ann, d: new Date().toISOString() })).errors?.[0]?.extensions
        ?.code,
    ).toBe('FORBIDDEN');
    const set = await as.instructor.gql(ext, {
      l: h.labId,
      e: ann,
      d: new Date(due.getTime() + 2 * DAY).toISOString(),
      r: 'medical note',
    });
    expect(set.errors).toBeUndefined();
    const adjust = `mutation($l: ID!, $e: ID!, $p: Float!, $r: String!) { adjustScore(labId: $l, enrollmentId: $e, points: $p, reason: $r) { finalScore adjustmentTotal } }`;
    expect(
      (await as.instructor.gql(adjust, { l: h.labId, e: ann, p: 5, r: '  ' })).errors?.[0]?.message,
    ).toMatch(/say why/);
    expect(
      (await as.student.gql(adjust, { l: h.labId, e: ann, p: 5, r: 'x' })).errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');
    const adj = await as.instructor.gql<{ adjustScore: { finalScore: number; adjustmentTotal: number } }>(
      adjust,
      { l: h.labId, e: ann, p: -5, r: 'late README' },
    );
    expect(adj.errors).toBeUndefined();
    // On time now (extension), so 100, minus the 5 points.
    expect(adj.data!.adjustScore).toEqual({ finalScore: 95, adjustmentTotal: -5 });
    const audit = await h.db.auditEntry.findFirst({
      where: { action: 'score.adjust' },
      orderBy: { at: 'desc' },
    });
    expect(audit).toMatchObject({
      actor: 'teacher@example.edu',
      reason: 'late README',
      after: { namespace: 'ann', points: -5 },
    });
    const l = (await as.student.gql<{ scoreLedger: LedgerBody }>(LEDGER, { l: h.labId })).data!.scoreLedger;
    expect(l.extension).toEqual({
      dueAt: new Date(due.getTime() + 2 * DAY).toISOString(),
      reason: 'medical note',
    });
    expect(l.counted).toMatchObject({ latePercent: 0, scoreAfterLate: 100 });
    expect(l.adjustments).toEqual([{ points: -5, reason: 'late README', actor: 'teacher@example.edu' }]);
  });

  it('the scoreboard, the CSV and every ledger give the same final score', async () => {
    const sb = await as.instructor.gql<{
      scoreboard: {
        rows: {
          enrollment: { id: string };
          namespace: string;
          finalScore: number | null;
          latePercent: number;
        }[];
      };
    }>(
      `query($l: ID!) { scoreboard(labId: $l) { rows { enrollment { id } namespace finalScore latePercent } } }`,
      { l: h.labId },
    );
    const res = await as.instructor.request('GET', `/export/scoreboard/${h.labId}.csv`);
    const csv = parse(res.body, { columns: true }) as Record<string, string>[];
    const rows = sb.data!.scoreboard.rows;
    expect(rows.map((r) => [r.namespace, r.finalScore, r.latePercent])).toEqual([
      ['ann', 95, 0],
      ['bob', 90, 10],
    ]);
    for (const r of rows) {
      const l = (
        await as.instructor.gql<{
          scoreLedger: {
            finalScore: number | null;
            counted: { run: { id: string }; latePercent: number } | null;
          };
        }>(LEDGER, { l: h.labId, e: r.enrollment.id })
      ).data!.scoreLedger;
      const line = csv.find((c) => c.namespace === r.namespace)!;
      expect([line.final_score, line.counted_run_id, line.late_deduction_percent]).toEqual([
        String(l.finalScore),
        l.counted?.run.id ?? '',
        String(l.counted?.latePercent ?? 0),
      ]);
      expect(r.finalScore).toBe(l.finalScore);
    }
  });

  it('without late steps, runs after the due date are practice and never count', async () => {
    const ok = await as.instructor.gql(SCHEDULE, {
      l: h.labId,
      i: { dueAt: due.toISOString(), scorePolicy: 'LAST' },
    });
    expect(ok.errors).toBeUndefined();
    const l = (await as.instructor.gql<{ scoreLedger: LedgerBody }>(LEDGER, { l: h.labId, e: bob })).data!
      .scoreLedger;
    expect(l.counted).toBeNull();
    expect(l.finalScore).toBeNull();
    expect(l.runs).toMatchObject([{ run: { id: runIds.bobLate }, practice: true, counted: false }]);
  });

  it('the course time zone is an IANA zone, set by staff', async () => {
    const course = await h.db.course.findFirstOrThrow({ where: { slug: 'k8s-storage' } });
    const m = `mutation($c: ID!, $t: String!) { setCourseTimeZone(courseId: $c, timeZone: $t) { timeZone } }`;
    expect((await as.instructor.gql(m, { c: course.id, t: 'Mars/Olympus' })).errors?.[0]?.message).toMatch(
      /not an IANA time zone/,
    );
    expect(
      (await as.student.gql(m, { c: course.id, t: 'Asia/Shanghai' })).errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');
    expect((await as.instructor.gql(m, { c: course.id, t: 'Asia/Shanghai' })).data).toEqual({
      setCourseTimeZone: { timeZone: 'Asia/Shanghai' },
    });
    expect(
      (await as.student.gql<{ scoreLedger: { courseTimeZone: string } }>(LEDGER, { l: h.labId })).data!
        .scoreLedger.courseTimeZone,
    ).toBe('Asia/Shanghai');
  });

  it('the roster CSV sets extensions (lab=date-time with zone;...), reports bad ones by line, and dry runs write nothing', async () => {
    const m = `mutation($csv: String!, $d: Boolean!) { importRoster(csv: $csv, dryRun: $d) { changes { line namespace extensions } errors { line message } } }`;
    const csv = [
      'email,name,student_id,namespace,extensions',
      `bob@example.edu,Bob Wu,s2,bob,${h.labId}=2030-01-02T03:04:00+08:00`,
      'ann@example.edu,Ann Li,s1,ann,no-such-lab=2030-01-01T00:00:00Z',
      'cat@example.edu,Cat Ng,s3,cat,redis-exist-pvc=tomorrow',
    ].join('\n');
    const dry = await as.instructor.gql<{
      importRoster: {
        changes: { line: number; namespace: string; extensions: number }[];
        errors: { line: number; message: string }[];
      };
    }>(m, { csv, d: true });
    expect(dry.errors).toBeUndefined();
    expect(dry.data!.importRoster.changes).toEqual([{ line: 2, namespace: 'bob', extensions: 1 }]);
    expect(
      dry.data!.importRoster.errors.map((e) => [
        e.line,
        e.message.match(/unknown lab|not <lab>=<date-time with zone>/)?.[0],
      ]),
    ).toEqual([
      [3, 'unknown lab'],
      [4, 'not <lab>=<date-time with zone>'],
    ]);
    expect(
      await h.db.labExtension.findUnique({
        where: { labId_enrollmentId: { labId: h.labId, enrollmentId: bob } },
      }),
    ).toBeNull();
    await as.instructor.gql(m, { csv, d: false });
    const x = await h.db.labExtension.findUniqueOrThrow({
      where: { labId_enrollmentId: { labId: h.labId, enrollmentId: bob } },
    });
    expect(x.dueAt.toISOString()).toBe('2030-01-01T19:04:00.000Z');
    expect(await h.db.auditEntry.count({ where: { action: 'lab.extension', reason: 'roster import' } })).toBe(
      1,
    );
  });
});

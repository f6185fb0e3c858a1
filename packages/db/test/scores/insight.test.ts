// Class insight from runs an instructor would recognise: the class's failing hints on the latest
// graded runs with the students behind each, time to first pass, attempts, stuck students, days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classInsight, createTestDatabase, type TestDatabase } from '../../src/index.ts';
import { seed } from '../runs/fixtures.ts';

let t: TestDatabase;
let ids: { id: string; namespace: string }[];
const t0 = new Date('2026-11-20T08:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

/** A graded run: `fails` maps a failing check to its hint key; the others pass. */
async function run(
  i: number,
  minutes: number,
  fails: Record<string, string> = {},
  status?: 'CANCELLED' | 'ERROR',
) {
  const e = ids[i]!;
  const checks = [
    { id: 'one', points: 40 },
    { id: 'two', points: 60 },
  ];
  const score = checks.reduce((s, c) => s + (fails[c.id] ? 0 : c.points), 0);
  await t.prisma.gradingRun.create({
    data: {
      labId: 'lab-a',
      enrollmentId: e.id,
      namespace: e.namespace,
      trigger: 'STUDENT',
      status: status ?? (score === 100 ? 'PASSED' : 'FAILED'),
      score: status ? null : score,
      maxScore: 100,
      queuedAt: at(minutes),
      finishedAt: at(minutes),
      checks: {
        create: checks.map((c, position) => ({
          checkId: c.id,
          position,
          status: fails[c.id] ? 'FAIL' : 'PASS',
          points: fails[c.id] ? 0 : c.points,
          maxPoints: c.points,
          hintKey: fails[c.id] ?? null,
        })),
      },
    },
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  const { students } = await seed(t.prisma, 4);
  ids = students.map((s) => ({ id: s.enrollment.id, namespace: s.enrollment.namespace }));
  // ns-0: stuck on two/service-name-mismatch for three runs.
  await run(0, 0, { two: 'service-name-mismatch' });
  await run(0, 5, { two: 'service-name-mismatch' });
  await run(0, 10, { two: 'service-name-mismatch' });
  // ns-1: fails one, passes everything 30 minutes after the first run (next day's run too).
  await run(1, 0, { one: 'claimref-wrong-namespace' });
  await run(1, 30);
  await run(1, 24 * 60 + 1);
  // ns-2: latest fails one (another hint), an earlier pass of two; a cancelled run does not count.
  await run(2, 2, { one: 'storageclass-missing' });
  await run(2, 3, {}, 'CANCELLED');
  // ns-3: never graded.
});
afterAll(async () => {
  await t?.drop();
});

describe('class insight', () => {
  it('counts the latest runs failing by hint, with the students one step away', async () => {
    const x = await classInsight(t.prisma, 'lab-a');
    expect(x.students).toBe(3);
    expect(x.failures.map((f) => [f.checkId, f.hintKey, f.students.map((s) => s.namespace)])).toEqual([
      ['one', 'storageclass-missing', ['ns-2']],
      ['two', 'service-name-mismatch', ['ns-0']],
    ]);
  });

  it('time to first pass per check, attempts, stuck students (N configurable), the days', async () => {
    const x = await classInsight(t.prisma, 'lab-a', { stuckRuns: 3 });
    expect(x.timeToPass).toEqual([
      // one: ns-0 passes at its first run (0 s), ns-1 after 30 min; ns-2 never.
      { checkId: 'one', tried: 3, passed: 2, medianSeconds: 900 },
      // two: ns-1 and ns-2 pass it in their first run; ns-0 never.
      { checkId: 'two', tried: 3, passed: 2, medianSeconds: 0 },
    ]);
    expect(x.attempts.map((a) => [a.namespace, a.runs])).toEqual([
      ['ns-0', 3],
      ['ns-1', 3],
      ['ns-2', 1],
      ['ns-3', 0],
    ]);
    expect(x.stuck.map((s) => [s.namespace, s.checkId, s.hintKey, s.runs])).toEqual([
      ['ns-0', 'two', 'service-name-mismatch', 3],
    ]);
    expect((await classInsight(t.prisma, 'lab-a', { stuckRuns: 4 })).stuck).toEqual([]);
    expect(x.byDay).toEqual([
      { day: '2026-11-20', runs: 6, students: 3, passedRuns: 1, meanScore: 56.67 },
      { day: '2026-11-21', runs: 1, students: 1, passedRuns: 1, meanScore: 100 },
    ]);
  });
});

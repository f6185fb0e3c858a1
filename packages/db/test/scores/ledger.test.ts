// The score ledger (ScoreboardEntry's ledger columns, kept by triggers) against a recomputation
// written here from the rules a student reads in the ledger: which run counts under each policy,
// late steps and the floor, practice runs before the open date and after the close, extensions
// and manual adjustments. The named cases are the ones an instructor sets up; the seeded random
// schedules then compare every entry with the recomputation after each kind of write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, readLedger, type TestDatabase } from '../../src/index.ts';
import { seed } from '../runs/fixtures.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const HOUR = 3_600_000;
const due = new Date('2026-11-20T12:00:00Z');
const at = (hoursFromDue: number) => new Date(due.getTime() + hoursFromDue * HOUR);

interface Schedule {
  opensAt: Date | null;
  dueAt: Date | null;
  closesAt: Date | null;
  latePenaltyPercent: number | null;
  lateStepHours: number;
  lateFloorPercent: number;
  scorePolicy: 'BEST' | 'LAST' | 'BEST_BEFORE_DUE';
}

interface Run {
  id: string;
  queuedAt: Date;
  status: 'PASSED' | 'FAILED' | 'ERROR' | 'CANCELLED';
  score: number | null;
  maxScore: number;
}

interface Expected {
  countedRunId: string | null;
  countedReason: string | null;
  latePercent: number;
  finalScore: number | null;
}

/** The rules, restated: what the ledger must say for these runs. */
function recompute(s: Schedule, extensionDue: Date | null, runs: Run[], adjustments: number[]): Expected {
  const dueAt = extensionDue ?? s.dueAt;
  const closes = s.closesAt
    ? new Date(Math.max(s.closesAt.getTime(), extensionDue?.getTime() ?? 0))
    : s.latePenaltyPercent == null
      ? dueAt
      : null;
  const standing = runs
    .filter((r) => (r.status === 'PASSED' || r.status === 'FAILED') && r.score != null)
    .filter((r) => !(s.opensAt && r.queuedAt < s.opensAt) && !(closes && r.queuedAt > closes))
    .map((r) => {
      const late = dueAt != null && s.latePenaltyPercent != null && r.queuedAt > dueAt;
      const steps = late ? Math.ceil((r.queuedAt.getTime() - dueAt.getTime()) / (s.lateStepHours * HOUR)) : 0;
      const pct = Math.min(steps * (s.latePenaltyPercent ?? 0), 100 - s.lateFloorPercent);
      const eff = pct <= 0 ? r.score! : Math.round(r.score! * (100 - pct)) / 100;
      return { r, pct, eff, beforeDue: dueAt == null || r.queuedAt <= dueAt };
    });
  const byTime = (a: { r: Run }, b: { r: Run }) => a.r.queuedAt.getTime() - b.r.queuedAt.getTime();
  let pick: (typeof standing)[number] | undefined;
  let reason: string = s.scorePolicy;
  if (s.scorePolicy === 'LAST') pick = [...standing].sort(byTime).at(-1);
  else {
    let pool = standing;
    if (s.scorePolicy === 'BEST_BEFORE_DUE') {
      pool = standing.filter((x) => x.beforeDue);
      if (!pool.length) {
        pool = standing;
        reason = 'BEST_LATE';
      }
    }
    pick = [...pool].sort((a, b) => b.eff - a.eff || byTime(a, b))[0];
  }
  const adj = adjustments.reduce((a, b) => a + b, 0);
  const final = pick
    ? Math.max(0, Math.min(pick.r.maxScore, Math.round((pick.eff + adj) * 100) / 100))
    : adjustments.length
      ? Math.max(0, adj)
      : null;
  return {
    countedRunId: pick?.r.id ?? null,
    countedReason: pick ? reason : null,
    latePercent: pick?.pct ?? 0,
    finalScore: final,
  };
}

async function entry(labId: string, enrollmentId: string): Promise<Expected> {
  const [e] = await t.prisma.$queryRaw<Expected[]>`
    SELECT "countedRunId", "countedReason", "latePercent", "finalScore" FROM "ScoreboardEntry"
    WHERE "labId" = ${labId} AND "enrollmentId" = ${enrollmentId}`;
  return e
    ? {
        ...e,
        latePercent: Number(e.latePercent),
        finalScore: e.finalScore == null ? null : Number(e.finalScore),
      }
    : { countedRunId: null, countedReason: null, latePercent: 0, finalScore: null };
}

async function addRun(
  labId: string,
  enrollment: { id: string; namespace: string },
  queuedAt: Date,
  score: number | null,
  status: Run['status'] = 'PASSED',
): Promise<Run> {
  const r = await t.prisma.gradingRun.create({
    data: {
      labId,
      enrollmentId: enrollment.id,
      namespace: enrollment.namespace,
      trigger: 'STUDENT',
      status,
      score,
      maxScore: 100,
      queuedAt,
      finishedAt: queuedAt,
    },
  });
  return { id: r.id, queuedAt, status, score, maxScore: 100 };
}

let labSeq = 0;
async function setup(schedule: Partial<Schedule> = {}) {
  const labId = `ledger-${++labSeq}`;
  const { students } = await seed(t.prisma, 1, [labId]);
  await t.prisma.lab.update({ where: { id: labId }, data: schedule });
  return { labId, enrollment: students[0]!.enrollment };
}

describe('the counted run and the final score', () => {
  it('without a schedule, LAST counts the latest graded run and ignores errors and cancelled runs', async () => {
    const { labId, enrollment } = await setup();
    const runs = [
      await addRun(labId, enrollment, at(-5), 90),
      await addRun(labId, enrollment, at(-4), 40),
      await addRun(labId, enrollment, at(-3), null, 'ERROR'),
    ];
    const e = await entry(labId, enrollment.id);
    expect(e).toEqual({ countedRunId: runs[1]!.id, countedReason: 'LAST', latePercent: 0, finalScore: 40 });
  });

  it('BEST takes the best score after the late deduction: 10% per day, floor 50%', async () => {
    const { labId, enrollment } = await setup({
      dueAt: due,
      latePenaltyPercent: 10,
      lateStepHours: 24,
      lateFloorPercent: 50,
      scorePolicy: 'BEST',
    });
    await addRun(labId, enrollment, at(-1), 40);
    const late = await addRun(labId, enrollment, at(36), 100); // 2 started days late: -20%
    await addRun(labId, enrollment, at(240), 100); // 10 days late: the floor, 50
    expect(await entry(labId, enrollment.id)).toEqual({
      countedRunId: late.id,
      countedReason: 'BEST',
      latePercent: 20,
      finalScore: 80,
    });
    const ledger = await readLedger(t.prisma, labId, enrollment.id);
    expect(ledger.counted).toMatchObject({
      runId: late.id,
      score: 100,
      lateSteps: 2,
      latePercent: 20,
      scoreAfterLate: 80,
    });
    expect(ledger.runs.map((r) => [r.effectiveScore, r.counted])).toEqual([
      [50, false],
      [80, true],
      [40, false],
    ]);
  });

  it('BEST_BEFORE_DUE prefers any run by the due date; with none, the best late one (BEST_LATE)', async () => {
    const { labId, enrollment } = await setup({
      dueAt: due,
      latePenaltyPercent: 10,
      scorePolicy: 'BEST_BEFORE_DUE',
    });
    const lateRun = await addRun(labId, enrollment, at(1), 100);
    expect(await entry(labId, enrollment.id)).toEqual({
      countedRunId: lateRun.id,
      countedReason: 'BEST_LATE',
      latePercent: 10,
      finalScore: 90,
    });
    const onTime = await addRun(labId, enrollment, at(-2), 30);
    expect(await entry(labId, enrollment.id)).toEqual({
      countedRunId: onTime.id,
      countedReason: 'BEST_BEFORE_DUE',
      latePercent: 0,
      finalScore: 30,
    });
  });

  it('without late steps, runs after the due date are practice; an extension makes them count', async () => {
    const { labId, enrollment } = await setup({ dueAt: due, scorePolicy: 'LAST' });
    const onTime = await addRun(labId, enrollment, at(-2), 50);
    const after = await addRun(labId, enrollment, at(5), 100);
    expect((await entry(labId, enrollment.id)).countedRunId).toBe(onTime.id);
    expect(
      (await readLedger(t.prisma, labId, enrollment.id)).runs.find((r) => r.runId === after.id)?.practice,
    ).toBe(true);
    await t.prisma.labExtension.create({
      data: { labId, enrollmentId: enrollment.id, dueAt: at(24), reason: 'ill' },
    });
    expect(await entry(labId, enrollment.id)).toEqual({
      countedRunId: after.id,
      countedReason: 'LAST',
      latePercent: 0,
      finalScore: 100,
    });
    await t.prisma.labExtension.delete({
      where: { labId_enrollmentId: { labId, enrollmentId: enrollment.id } },
    });
    expect((await entry(labId, enrollment.id)).countedRunId).toBe(onTime.id);
  });

  it('runs before the open date are practice; moving the dates recomputes every entry of the lab', async () => {
    const { labId, enrollment } = await setup({ opensAt: at(-10), scorePolicy: 'BEST' });
    const early = await addRun(labId, enrollment, at(-20), 100);
    const inside = await addRun(labId, enrollment, at(-5), 60);
    expect((await entry(labId, enrollment.id)).countedRunId).toBe(inside.id);
    await t.prisma.lab.update({ where: { id: labId }, data: { opensAt: at(-30) } });
    expect((await entry(labId, enrollment.id)).countedRunId).toBe(early.id);
  });

  it('adjustments add up, and the final score stays between 0 and the maximum', async () => {
    const { labId, enrollment } = await setup({ scorePolicy: 'LAST' });
    await addRun(labId, enrollment, at(-1), 70);
    await t.prisma.scoreAdjustment.create({
      data: { labId, enrollmentId: enrollment.id, points: 5, reason: 'typo in the lab' },
    });
    expect((await entry(labId, enrollment.id)).finalScore).toBe(75);
    await t.prisma.scoreAdjustment.create({
      data: { labId, enrollmentId: enrollment.id, points: 50, reason: 'bonus' },
    });
    expect((await entry(labId, enrollment.id)).finalScore).toBe(100);
    await t.prisma.scoreAdjustment.create({
      data: { labId, enrollmentId: enrollment.id, points: -500, reason: 'copied' },
    });
    expect((await entry(labId, enrollment.id)).finalScore).toBe(0);
    const ledger = await readLedger(t.prisma, labId, enrollment.id);
    expect(ledger.adjustments.map((a) => a.reason)).toEqual(['typo in the lab', 'bonus', 'copied']);
    expect(ledger.adjustmentTotal).toBe(-445);
  });
});

describe('the read model against the recomputation', () => {
  it('agrees for random schedules, runs, extensions and adjustments after every write', async () => {
    let state = 20261201;
    const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pickOf = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    for (let round = 0; round < 12; round++) {
      const schedule: Schedule = {
        opensAt: rand() < 0.3 ? at(-48) : null,
        dueAt: rand() < 0.8 ? due : null,
        closesAt: rand() < 0.3 ? at(96) : null,
        latePenaltyPercent: rand() < 0.6 ? pickOf([5, 10, 25, 33.3]) : null,
        lateStepHours: pickOf([1, 24]),
        lateFloorPercent: pickOf([0, 50]),
        scorePolicy: pickOf(['BEST', 'LAST', 'BEST_BEFORE_DUE'] as const),
      };
      const { labId, enrollment } = await setup(schedule);
      const runs: Run[] = [];
      const adjustments: number[] = [];
      let extension: Date | null = null;
      for (let step = 0; step < 8; step++) {
        const what = rand();
        if (what < 0.6) {
          runs.push(
            await addRun(
              labId,
              enrollment,
              at(Math.floor(rand() * 200) - 80),
              Math.round(rand() * 1000) / 10,
              pickOf(['PASSED', 'FAILED', 'FAILED', 'ERROR'] as const),
            ),
          );
        } else if (what < 0.75) {
          extension = at(Math.floor(rand() * 100));
          await t.prisma.labExtension.upsert({
            where: { labId_enrollmentId: { labId, enrollmentId: enrollment.id } },
            create: { labId, enrollmentId: enrollment.id, dueAt: extension },
            update: { dueAt: extension },
          });
        } else if (what < 0.9) {
          const p = Math.round(rand() * 40 - 20);
          adjustments.push(p);
          await t.prisma.scoreAdjustment.create({
            data: { labId, enrollmentId: enrollment.id, points: p, reason: 'r' },
          });
        } else if (runs.length) {
          // A regrade rewrites a run's score in place.
          const r = pickOf(runs);
          r.score = Math.round(rand() * 1000) / 10;
          r.status = 'PASSED';
          await t.prisma.gradingRun.update({
            where: { id: r.id },
            data: { score: r.score, status: 'PASSED' },
          });
        }
        const want = recompute(schedule, extension, runs, adjustments);
        const got = await entry(labId, enrollment.id);
        expect({
          round,
          step,
          ...got,
          finalScore: got.finalScore == null ? null : Math.round(got.finalScore * 100) / 100,
        }).toEqual({ round, step, ...want });
      }
    }
  });
});

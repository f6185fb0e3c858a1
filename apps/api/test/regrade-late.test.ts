// A regrade applied after the due date: the regrade counts as of the run it replaces, so an on-time
// score does not become late; and "never lower" is judged on the final score (late deduction
// included), not on the raw points of the dry run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordPreviewResult, type CheckOutcome } from '@kubegrade/db';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;

const PREVIEW = `mutation($l: ID!) { previewRegrade(labId: $l, all: true) { id items { namespace } } }`;
const APPLY = `mutation($id: ID!, $r: String!) { applyRegradePreview(id: $id, neverLower: true, reason: $r) { applied skippedLower } }`;
const SCORES = `query($l: ID!) { scoreboard(labId: $l) { rows { namespace finalScore } } }`;
const HOUR = 3600_000;

const outcome = (score: number) => ({
  status: 'DONE' as const,
  runStatus: 'failed' as const,
  score,
  maxScore: 100,
  graderVersion: 'g2',
  checks: [
    {
      id: 'pv-claimref',
      status: 'fail',
      points: score,
      maxPoints: 100,
      message: 'x',
      hint: null,
      evidence: {},
      durationMs: 1,
    } satisfies CheckOutcome,
  ],
});

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
});
afterAll(async () => {
  await h?.close();
});

describe('a regrade applied after the due date', () => {
  it('keeps an on-time score on time, and never-lower refuses a regrade the late deduction would lower', async () => {
    const due = new Date(Date.now() - 48 * HOUR);
    // LAST counts the latest run; each started day late costs 50 %.
    await h.db.lab.update({
      where: { id: h.labId },
      data: {
        dueAt: due,
        latePenaltyPercent: 50,
        lateStepHours: 24,
        lateFloorPercent: 0,
        scorePolicy: 'LAST',
      },
    });
    const student = (ns: string) => h.seeded.students.find((s) => s.namespace === ns)!.enrollmentId;
    const run = (ns: string, score: number, queuedAt: Date) =>
      h.db.gradingRun.create({
        data: {
          enrollmentId: student(ns),
          labId: h.labId,
          namespace: ns,
          trigger: 'STUDENT',
          status: 'FAILED',
          score,
          maxScore: 100,
          queuedAt,
          finishedAt: queuedAt,
          labVersion: '1',
          graderVersion: 'g1',
        },
      });
    // ann submitted on time (70); bob a day and a half late (100, minus 50 %).
    await run('ann', 70, new Date(due.getTime() - HOUR));
    await run('bob', 100, new Date(due.getTime() + 12 * HOUR));
    const rows = async () =>
      (
        await as.instructor.gql<{ scoreboard: { rows: { namespace: string; finalScore: number }[] } }>(
          SCORES,
          { l: h.labId },
        )
      ).data!.scoreboard.rows.map((r) => [r.namespace, r.finalScore]);
    expect(await rows()).toEqual([
      ['ann', 70],
      ['bob', 50],
    ]);

    const p = (await as.instructor.gql<{ previewRegrade: { id: string } }>(PREVIEW, { l: h.labId })).data!
      .previewRegrade;
    // The dry runs: ann 80 (up), bob 60 raw: above his 50, but late like his run, so 30 final.
    await recordPreviewResult(h.db, p.id, student('ann'), outcome(80));
    await recordPreviewResult(h.db, p.id, student('bob'), outcome(60));
    const applied = await as.instructor.gql<{
      applyRegradePreview: { applied: number; skippedLower: number };
    }>(APPLY, { id: p.id, r: 'points fixed' });
    expect(applied.errors).toBeUndefined();
    expect(applied.data!.applyRegradePreview).toEqual({ applied: 1, skippedLower: 1 });
    // ann's regrade, applied two days after the due date, counts on time; bob keeps his 50.
    expect(await rows()).toEqual([
      ['ann', 80],
      ['bob', 50],
    ]);
    const ledger = await h.db.scoreboardEntry.findUniqueOrThrow({
      where: { labId_enrollmentId: { labId: h.labId, enrollmentId: student('ann') } },
    });
    expect(ledger).toMatchObject({ lateSteps: 0, latePercent: 0, countedScore: 80 });
    expect(
      await h.db.gradingRun.count({ where: { enrollmentId: student('bob'), trigger: 'INSTRUCTOR' } }),
    ).toBe(0);
  });
});

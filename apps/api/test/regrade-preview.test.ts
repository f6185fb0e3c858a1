// Regrade with a preview: a dry run records nothing (no run, no score) until applied; the preview
// shows each student's difference and the totals; applying with "never lower" leaves out the
// students it would lower, writes runs with the lab and grader versions, and audits the reason.
// The worker's part (grading the dry run) is played here by recordPreviewResult, as the worker calls it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW_QUEUE, recordPreviewResult, type CheckOutcome } from '@kubegrade/db';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let ann: string;
let bob: string;

const PREVIEW = `mutation($l: ID!, $d: Boolean, $c: Boolean) { previewRegrade(labId: $l, all: true, disruptive: $d, confirmDisruptive: $c) {
  id labVersion disruptive items { namespace status oldScore } } }`;
const READ = `query($id: ID!) { regradePreview(id: $id) { id labVersion items { namespace oldScore newScore difference change appliedRunId }
  totals { up down unchanged error pending oldTotal newTotal } } }`;
const APPLY = `mutation($id: ID!, $n: Boolean, $r: String!) { applyRegradePreview(id: $id, neverLower: $n, reason: $r) { applied skippedLower preview { appliedAt } } }`;

const check = (id: string, pass: boolean, points: number): CheckOutcome => ({
  id,
  status: pass ? 'pass' : 'fail',
  points: pass ? points : 0,
  maxPoints: points,
  message: pass ? 'ok' : 'wrong',
  hint: null,
  evidence: {},
  durationMs: 3,
});

async function finishedRun(enrollmentId: string, namespace: string, score: number) {
  return h.db.gradingRun.create({
    data: {
      enrollmentId,
      labId: h.labId,
      namespace,
      trigger: 'STUDENT',
      status: score === 100 ? 'PASSED' : 'FAILED',
      score,
      maxScore: 100,
      finishedAt: new Date(),
      labVersion: '1',
      graderVersion: 'old',
    },
  });
}

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  ann = h.seeded.students.find((s) => s.namespace === 'ann')!.enrollmentId;
  bob = h.seeded.students.find((s) => s.namespace === 'bob')!.enrollmentId;
  await finishedRun(ann, 'ann', 70);
  await finishedRun(bob, 'bob', 100);
});
afterAll(async () => {
  await h?.close();
});

describe('regrade preview', () => {
  it('is for staff; a disruptive dry run needs saying so (it deletes pods)', async () => {
    expect((await as.student.gql(PREVIEW, { l: h.labId })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refused = await as.instructor.gql(PREVIEW, { l: h.labId, d: true });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/deletes .* pod: pass confirmDisruptive/);
  });

  it('after a change of points, shows who goes up and down without recording anything, then applies with never-lower and audits the reason', async () => {
    const edit = await as.instructor.gql<{ setCheckPoints: { version: string; maxScore: number } }>(
      `mutation($l: ID!) { setCheckPoints(labId: $l, checkId: "redis-persistence", points: 35) { version maxScore } }`,
      { l: h.labId },
    );
    expect(edit.errors).toBeUndefined();
    expect(edit.data!.setCheckPoints).toEqual({ version: expect.stringMatching(/\+edit1$/), maxScore: 110 });

    const started = await as.instructor.gql<{
      previewRegrade: {
        id: string;
        labVersion: string;
        disruptive: boolean;
        items: { namespace: string; status: string; oldScore: number }[];
      };
    }>(PREVIEW, { l: h.labId });
    expect(started.errors).toBeUndefined();
    const p = started.data!.previewRegrade;
    expect(p).toMatchObject({ labVersion: edit.data!.setCheckPoints.version, disruptive: false });
    expect(p.items.map((i) => [i.namespace, i.status, i.oldScore])).toEqual([
      ['ann', 'QUEUED', 70],
      ['bob', 'QUEUED', 100],
    ]);
    // One dry-run job per student on the preview queue, none on the grading queue.
    const jobs = await h.db.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${PREVIEW_QUEUE} AND data->>'previewId' = ${p.id}`;
    expect(jobs[0]!.n).toBe(2);
    const runsBefore = await h.db.gradingRun.count();

    // The worker's dry runs: ann now fails more (down), bob passes everything under the new points (up).
    const checks = (pass: boolean[]) =>
      ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns', 'redis-persistence'].map((c, i) =>
        check(c, pass[i]!, [15, 15, 25, 20, 35][i]!),
      );
    await recordPreviewResult(h.db, p.id, ann, {
      status: 'DONE',
      runStatus: 'failed',
      score: 30,
      maxScore: 110,
      graderVersion: 'g2',
      checks: checks([true, true, false, false, false]),
    });
    await recordPreviewResult(h.db, p.id, bob, {
      status: 'DONE',
      runStatus: 'passed',
      score: 110,
      maxScore: 110,
      graderVersion: 'g2',
      checks: checks([true, true, true, true, true]),
    });
    const read = await as.instructor.gql<{
      regradePreview: {
        items: { namespace: string; difference: number; change: string }[];
        totals: Record<string, number>;
      };
    }>(READ, { id: p.id });
    expect(read.data!.regradePreview.items.map((i) => [i.namespace, i.change, i.difference])).toEqual([
      ['ann', 'DOWN', -40],
      ['bob', 'UP', 10],
    ]);
    expect(read.data!.regradePreview.totals).toEqual({
      up: 1,
      down: 1,
      unchanged: 0,
      error: 0,
      pending: 0,
      oldTotal: 170,
      newTotal: 140,
    });
    // Nothing was recorded by the preview: no run, the scores stand.
    expect(await h.db.gradingRun.count()).toBe(runsBefore);
    const sb = await as.instructor.gql<{ scoreboard: { rows: { namespace: string; finalScore: number }[] } }>(
      `query($l: ID!) { scoreboard(labId: $l) { rows { namespace finalScore } } }`,
      { l: h.labId },
    );
    expect(sb.data!.scoreboard.rows.map((r) => [r.namespace, r.finalScore])).toEqual([
      ['ann', 70],
      ['bob', 100],
    ]);

    expect((await as.instructor.gql(APPLY, { id: p.id, n: true, r: ' ' })).errors?.[0]?.message).toMatch(
      /say why/,
    );
    const applied = await as.instructor.gql<{
      applyRegradePreview: { applied: number; skippedLower: number };
    }>(APPLY, { id: p.id, n: true, r: 'redis-persistence is worth 35 now' });
    expect(applied.errors).toBeUndefined();
    expect(applied.data!.applyRegradePreview).toMatchObject({ applied: 1, skippedLower: 1 });
    const after = await as.instructor.gql<{
      scoreboard: { rows: { namespace: string; finalScore: number }[] };
    }>(`query($l: ID!) { scoreboard(labId: $l) { rows { namespace finalScore } } }`, { l: h.labId });
    expect(after.data!.scoreboard.rows.map((r) => [r.namespace, r.finalScore])).toEqual([
      ['ann', 70],
      ['bob', 110],
    ]);
    const run = await h.db.gradingRun.findFirstOrThrow({
      where: { enrollmentId: bob, trigger: 'INSTRUCTOR' },
      include: { checks: true },
    });
    expect(run).toMatchObject({
      labVersion: edit.data!.setCheckPoints.version,
      graderVersion: 'g2',
      score: 110,
      status: 'PASSED',
    });
    expect(run.checks).toHaveLength(5);
    const entry = await h.db.auditEntry.findFirstOrThrow({ where: { action: 'regrade.apply' } });
    expect(entry).toMatchObject({
      reason: 'redis-persistence is worth 35 now',
      actor: 'teacher@example.edu',
      after: { neverLower: true, applied: 1, skippedLower: 1 },
    });
    // Applying twice would write the runs twice.
    expect((await as.instructor.gql(APPLY, { id: p.id, r: 'again' })).errors?.[0]?.extensions?.code).toBe(
      'CONFLICT',
    );
  });
});

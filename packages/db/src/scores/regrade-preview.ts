// Regrade with a preview. A preview grades the chosen students' namespaces again WITHOUT recording
// runs: each student is a RegradePreviewItem and a job on its own queue ('grade-preview'), which the
// worker grades and answers with recordPreviewResult (never a GradingRun, so never a score). The
// instructor reads each student's difference from their current final score (up, down, unchanged,
// error) and the totals, then applies it: one transaction writes an ordinary run per student (the
// ledger triggers then count it like any run), skipping students it would lower when asked to.
import type PgBoss from 'pg-boss';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { NotFoundError } from '../runs/errors.ts';
import type { CheckOutcome } from '../runs/lifecycle.ts';

/** The pg-boss queue of dry-run jobs. */
export const PREVIEW_QUEUE = 'grade-preview';

/** A dry-run job: one student of one preview. */
export interface PreviewJobData {
  previewId: string;
  enrollmentId: string;
}

/** How one student's score would change. */
export type PreviewChange = 'UP' | 'DOWN' | 'UNCHANGED' | 'ERROR' | 'PENDING';

/** A preview as the api shows it. */
export interface RegradePreviewView {
  id: string;
  labId: string;
  labVersion: string;
  disruptive: boolean;
  createdBy: string | null;
  createdAt: Date;
  appliedAt: Date | null;
  appliedBy: string | null;
  applyReason: string | null;
  neverLower: boolean | null;
  items: {
    enrollmentId: string;
    namespace: string;
    status: string;
    oldScore: number | null;
    newScore: number | null;
    maxScore: number;
    difference: number | null;
    change: PreviewChange;
    graderVersion: string | null;
    error: string | null;
    appliedRunId: string | null;
  }[];
  totals: Record<PreviewChange, number> & { oldTotal: number; newTotal: number };
}

/** The preview was already applied (a second apply would write the runs twice). */
export class PreviewAppliedError extends Error {
  constructor(readonly previewId: string) {
    super(`regrade preview ${previewId} was already applied`);
    this.name = 'PreviewAppliedError';
  }
}

/** Creates the preview queue if it is missing (idempotent; a race with another process is fine). */
export async function ensurePreviewQueue(boss: PgBoss): Promise<void> {
  try {
    if (!(await boss.getQueue(PREVIEW_QUEUE))) await boss.createQueue(PREVIEW_QUEUE);
  } catch (err) {
    if (!(await boss.getQueue(PREVIEW_QUEUE))) throw err;
  }
}

/**
 * Starts a preview of `labId` for `enrollmentIds`: the preview and one QUEUED item per student
 * (with their current final score) in one transaction, then one dry-run job each.
 */
export async function createRegradePreview(
  db: PrismaClient,
  boss: PgBoss,
  input: {
    labId: string;
    enrollmentIds: string[];
    disruptive: boolean;
    actor: { id: string; email: string } | null;
  },
): Promise<string> {
  const lab = await db.lab.findUnique({ where: { id: input.labId } });
  if (!lab) throw new NotFoundError('lab', input.labId);
  const enrollments = await db.enrollment.findMany({
    where: { id: { in: input.enrollmentIds } },
    select: { id: true, namespace: true },
  });
  const entries = await db.scoreboardEntry.findMany({
    where: { labId: lab.id, enrollmentId: { in: input.enrollmentIds } },
    select: { enrollmentId: true, finalScore: true },
  });
  const final = new Map(entries.map((e) => [e.enrollmentId, e.finalScore]));
  const preview = await db.$transaction(async (tx) => {
    const p = await tx.regradePreview.create({
      data: {
        labId: lab.id,
        labVersion: lab.version,
        disruptive: input.disruptive,
        createdById: input.actor?.id ?? null,
        createdBy: input.actor?.email ?? null,
      },
    });
    await tx.regradePreviewItem.createMany({
      data: enrollments.map((e) => ({
        previewId: p.id,
        enrollmentId: e.id,
        namespace: e.namespace,
        oldScore: final.get(e.id) ?? null,
      })),
    });
    return p;
  });
  await ensurePreviewQueue(boss);
  if (enrollments.length) {
    await boss.insert(
      enrollments.map((e) => ({
        name: PREVIEW_QUEUE,
        data: { previewId: preview.id, enrollmentId: e.id } satisfies PreviewJobData,
        retryLimit: 1,
        expireInSeconds: 900,
      })),
    );
  }
  return preview.id;
}

/** What the worker reports for one dry run. */
export type PreviewOutcome =
  | {
      status: 'DONE';
      runStatus: 'passed' | 'failed';
      score: number;
      maxScore: number;
      graderVersion: string;
      checks: CheckOutcome[];
    }
  | { status: 'ERROR'; error: string; graderVersion: string };

/** Stores one dry run's outcome on its item (never a run or a score). False when the item is gone. */
export async function recordPreviewResult(
  db: PrismaClient,
  previewId: string,
  enrollmentId: string,
  outcome: PreviewOutcome,
): Promise<boolean> {
  const data =
    outcome.status === 'DONE'
      ? {
          status: 'DONE',
          newScore: outcome.score,
          maxScore: outcome.maxScore,
          graderVersion: outcome.graderVersion,
          checks: {
            runStatus: outcome.runStatus,
            checks: outcome.checks,
          } as unknown as Prisma.InputJsonObject,
          error: null,
          finishedAt: new Date(),
        }
      : {
          status: 'ERROR',
          error: outcome.error.slice(0, 2000),
          graderVersion: outcome.graderVersion,
          finishedAt: new Date(),
        };
  const r = await db.regradePreviewItem.updateMany({ where: { previewId, enrollmentId }, data });
  return r.count === 1;
}

function changeOf(status: string, oldScore: number | null, newScore: number | null): PreviewChange {
  if (status === 'ERROR') return 'ERROR';
  if (status !== 'DONE' || newScore == null) return 'PENDING';
  const before = oldScore ?? 0;
  return newScore > before ? 'UP' : newScore < before ? 'DOWN' : 'UNCHANGED';
}

/** The preview with each student's difference and the totals; throws NotFoundError. */
export async function readRegradePreview(db: PrismaClient, id: string): Promise<RegradePreviewView> {
  const p = await db.regradePreview.findUnique({
    where: { id },
    include: { items: { orderBy: { namespace: 'asc' } } },
  });
  if (!p) throw new NotFoundError('regrade preview', id);
  const items = p.items.map((i) => ({
    enrollmentId: i.enrollmentId,
    namespace: i.namespace,
    status: i.status,
    oldScore: i.oldScore,
    newScore: i.newScore,
    maxScore: i.maxScore,
    difference: i.newScore == null ? null : Math.round((i.newScore - (i.oldScore ?? 0)) * 100) / 100,
    change: changeOf(i.status, i.oldScore, i.newScore),
    graderVersion: i.graderVersion,
    error: i.error,
    appliedRunId: i.appliedRunId,
  }));
  const count = (c: PreviewChange) => items.filter((i) => i.change === c).length;
  return {
    id: p.id,
    labId: p.labId,
    labVersion: p.labVersion,
    disruptive: p.disruptive,
    createdBy: p.createdBy,
    createdAt: p.createdAt,
    appliedAt: p.appliedAt,
    appliedBy: p.appliedBy,
    applyReason: p.applyReason,
    neverLower: p.neverLower,
    items,
    totals: {
      UP: count('UP'),
      DOWN: count('DOWN'),
      UNCHANGED: count('UNCHANGED'),
      ERROR: count('ERROR'),
      PENDING: count('PENDING'),
      oldTotal: items.reduce((s, i) => s + (i.oldScore ?? 0), 0),
      newTotal: items.reduce((s, i) => s + (i.newScore ?? i.oldScore ?? 0), 0),
    },
  };
}

const STATUS = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skipped: 'SKIPPED' } as const;

/**
 * Applies a preview in one transaction: for every DONE student, a finished INSTRUCTOR run with the
 * dry run's checks, lab version and grader version, counting as of the student's counted run; with
 * `neverLower`, students whose final score the new run would lower are skipped. Returns the runs written and the students skipped.
 * `audit` runs inside the same transaction (the caller's audit row with the reason).
 */
export async function applyRegradePreview(
  db: PrismaClient,
  id: string,
  opts: {
    neverLower: boolean;
    reason: string;
    actor: { id: string; email: string };
    audit: (
      tx: Prisma.TransactionClient,
      summary: { applied: number; skippedLower: number; runIds: string[] },
    ) => Promise<void>;
  },
): Promise<{ applied: number; skippedLower: number; runIds: string[] }> {
  return db.$transaction(
    async (tx) => {
      const [locked] = await tx.$queryRaw<{ labId: string; labVersion: string; appliedAt: Date | null }[]>`
        SELECT "labId", "labVersion", "appliedAt" FROM "RegradePreview" WHERE id = ${id} FOR UPDATE`;
      if (!locked) throw new NotFoundError('regrade preview', id);
      if (locked.appliedAt) throw new PreviewAppliedError(id);
      const items = await tx.regradePreviewItem.findMany({
        where: { previewId: id, status: 'DONE' },
        orderBy: { namespace: 'asc' },
      });
      const entries = await tx.scoreboardEntry.findMany({
        where: { labId: locked.labId, enrollmentId: { in: items.map((i) => i.enrollmentId) } },
      });
      const finalNow = new Map(entries.map((e) => [e.enrollmentId, e.finalScore]));
      // A regrade counts as of the run it replaces (the counted one), so applying it after the due
      // date does not make an on-time score late; a student with no counted run: as of now.
      const counted = await tx.gradingRun.findMany({
        where: { id: { in: entries.flatMap((e) => (e.countedRunId ? [e.countedRunId] : [])) } },
        select: { enrollmentId: true, queuedAt: true, countsAsOf: true },
      });
      const countsAsOf = new Map(counted.map((r) => [r.enrollmentId, r.countsAsOf ?? r.queuedAt]));
      const runIds: string[] = [];
      let skippedLower = 0;
      for (const item of items) {
        // "Never lower" is judged on the final score the ledger computes with the new run (late
        // deduction, policy and adjustments included): the run is written under a savepoint and
        // rolled back when the final score went down.
        if (opts.neverLower) await tx.$executeRawUnsafe('SAVEPOINT regrade_item');
        const stored = item.checks as unknown as { runStatus: 'passed' | 'failed'; checks: CheckOutcome[] };
        const at = new Date();
        const run = await tx.gradingRun.create({
          data: {
            enrollmentId: item.enrollmentId,
            labId: locked.labId,
            namespace: item.namespace,
            trigger: 'INSTRUCTOR',
            triggeredById: opts.actor.id,
            status: stored.runStatus === 'passed' ? 'PASSED' : 'FAILED',
            score: item.newScore,
            maxScore: item.maxScore,
            disruptive: false,
            queuedAt: at,
            countsAsOf: countsAsOf.get(item.enrollmentId) ?? null,
            startedAt: at,
            finishedAt: at,
            labVersion: locked.labVersion,
            graderVersion: item.graderVersion,
            checks: {
              create: stored.checks.map((c, position) => ({
                checkId: c.id,
                position,
                status: STATUS[c.status],
                points: c.points,
                maxPoints: c.maxPoints,
                message: c.message,
                messageKey: c.messageText?.$msg ?? null,
                messageParams: c.messageText
                  ? (c.messageText.params as Prisma.InputJsonObject)
                  : Prisma.DbNull,
                hintKey: c.hint?.key ?? null,
                hint: c.hint ? (c.hint as unknown as Prisma.InputJsonObject) : Prisma.DbNull,
                evidence: c.evidence as Prisma.InputJsonObject,
                durationMs: Math.round(c.durationMs),
                startedAt: at,
                finishedAt: at,
              })),
            },
          },
        });
        if (opts.neverLower) {
          const before = finalNow.get(item.enrollmentId);
          const after = await tx.scoreboardEntry.findUnique({
            where: { labId_enrollmentId: { labId: locked.labId, enrollmentId: item.enrollmentId } },
            select: { finalScore: true },
          });
          if (before != null && (after?.finalScore ?? 0) < before) {
            await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT regrade_item');
            skippedLower++;
            continue;
          }
          await tx.$executeRawUnsafe('RELEASE SAVEPOINT regrade_item');
        }
        await tx.regradePreviewItem.update({
          where: { previewId_enrollmentId: { previewId: id, enrollmentId: item.enrollmentId } },
          data: { appliedRunId: run.id },
        });
        runIds.push(run.id);
      }
      await tx.regradePreview.update({
        where: { id },
        data: {
          appliedAt: new Date(),
          appliedBy: opts.actor.email,
          applyReason: opts.reason,
          neverLower: opts.neverLower,
        },
      });
      const summary = { applied: runIds.length, skippedLower, runIds };
      await opts.audit(tx, summary);
      return summary;
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}

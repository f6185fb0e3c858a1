// The score ledger of one (lab, student): which run counts and why, the late deduction and its
// rule, the extension, manual adjustments and the final score. Every number comes from the read
// model (ScoreboardEntry's ledger columns, kept by triggers; migration
// 20261201113137_score_ledger) and the run list from the same SQL function the triggers use
// ("kubegrade_run_standing"), so the ledger, the scoreboard and the CSV cannot disagree.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { NotFoundError } from '../runs/errors.ts';

type Db = PrismaClient | Prisma.TransactionClient;

/** Which run counts: the lab's policy, or BEST_LATE when BEST_BEFORE_DUE found no run by the due date. */
export type CountedReason = 'BEST' | 'LAST' | 'BEST_BEFORE_DUE' | 'BEST_LATE';

/** A lab's dates and late rule. */
export interface LabSchedule {
  opensAt: Date | null;
  dueAt: Date | null;
  closesAt: Date | null;
  /** Percent of a run's score taken per started late step; null: late runs are practice (unless closesAt is later). */
  latePenaltyPercent: number | null;
  lateStepHours: number;
  lateFloorPercent: number;
  scorePolicy: 'BEST' | 'LAST' | 'BEST_BEFORE_DUE';
}

/** One run with its standing under the schedule. */
export interface LedgerRun {
  runId: string;
  queuedAt: Date;
  status: string;
  score: number | null;
  maxScore: number;
  practice: boolean;
  lateSteps: number;
  latePercent: number;
  /** The score after the late deduction. */
  effectiveScore: number | null;
  counted: boolean;
}

/** A check of the counted run. */
export interface LedgerCheck {
  checkId: string;
  status: string;
  points: number;
  maxPoints: number;
}

/** A manual adjustment. */
export interface LedgerAdjustment {
  id: string;
  points: number;
  reason: string;
  actor: string | null;
  createdAt: Date;
}

/** The ledger of one lab and enrollment. */
export interface Ledger {
  labId: string;
  enrollmentId: string;
  namespace: string;
  courseTimeZone: string;
  schedule: LabSchedule;
  extension: { dueAt: Date; reason: string | null; createdAt: Date } | null;
  /** The due date that applies to this student (the extension's, else the lab's). */
  effectiveDueAt: Date | null;
  counted: {
    runId: string;
    reason: CountedReason;
    score: number;
    maxScore: number;
    queuedAt: Date;
    lateSteps: number;
    latePercent: number;
    scoreAfterLate: number;
    checks: LedgerCheck[];
  } | null;
  adjustments: LedgerAdjustment[];
  adjustmentTotal: number;
  finalScore: number | null;
  /** The newest runs first (at most `runLimit`). */
  runs: LedgerRun[];
}

/** The lab's schedule fields as stored on Lab. */
export function scheduleOf(lab: LabSchedule): LabSchedule {
  return {
    opensAt: lab.opensAt,
    dueAt: lab.dueAt,
    closesAt: lab.closesAt,
    latePenaltyPercent: lab.latePenaltyPercent,
    lateStepHours: lab.lateStepHours,
    lateFloorPercent: lab.lateFloorPercent,
    scorePolicy: lab.scorePolicy,
  };
}

interface EntryRow {
  countedRunId: string | null;
  countedReason: CountedReason | null;
  countedScore: number | null;
  lateSteps: number;
  latePercent: number;
  adjustment: number;
  finalScore: number | null;
}

/** A run's standing as the statement answers it; whether it is counted is decided after. */
type StandingRow = Omit<LedgerRun, 'counted'>;

/** The ledger of `labId` for `enrollmentId`; throws NotFoundError for an unknown lab or enrollment. */
export async function readLedger(
  db: Db,
  labId: string,
  enrollmentId: string,
  opts: { runLimit?: number } = {},
): Promise<Ledger> {
  const [lab, enrollment] = await Promise.all([
    db.lab.findUnique({ where: { id: labId } }),
    db.enrollment.findUnique({ where: { id: enrollmentId }, include: { course: true } }),
  ]);
  if (!lab) throw new NotFoundError('lab', labId);
  if (!enrollment) throw new NotFoundError('enrollment', enrollmentId);
  const limit = Math.max(1, Math.min(500, opts.runLimit ?? 100));
  const [entries, standing, extension, adjustments] = await Promise.all([
    db.$queryRaw<EntryRow[]>`
      SELECT "countedRunId", "countedReason", "countedScore", "lateSteps", "latePercent", adjustment, "finalScore"
      FROM "ScoreboardEntry" WHERE "labId" = ${labId} AND "enrollmentId" = ${enrollmentId}`,
    db.$queryRaw<StandingRow[]>`
      SELECT "runId", "queuedAt", status::text AS status, score, "maxScore", practice, "lateSteps", "latePercent", "effectiveScore"
      FROM "kubegrade_run_standing"(${labId}, ${enrollmentId}) ORDER BY "queuedAt" DESC LIMIT ${limit}`,
    db.labExtension.findUnique({ where: { labId_enrollmentId: { labId, enrollmentId } } }),
    db.scoreAdjustment.findMany({ where: { labId, enrollmentId }, orderBy: { createdAt: 'asc' } }),
  ]);
  const entry = entries[0];
  let counted: Ledger['counted'] = null;
  if (entry?.countedRunId) {
    const [run, checks] = await Promise.all([
      db.gradingRun.findUnique({ where: { id: entry.countedRunId } }),
      db.checkResult.findMany({ where: { runId: entry.countedRunId }, orderBy: { position: 'asc' } }),
    ]);
    if (run) {
      const score = Number(entry.countedScore ?? run.score ?? 0);
      counted = {
        runId: run.id,
        reason: entry.countedReason ?? lab.scorePolicy,
        score,
        maxScore: run.maxScore,
        queuedAt: run.queuedAt,
        lateSteps: entry.lateSteps,
        latePercent: Number(entry.latePercent),
        scoreAfterLate: applyLate(score, Number(entry.latePercent)),
        checks: checks.map((c) => ({
          checkId: c.checkId,
          status: c.status,
          points: c.points,
          maxPoints: c.maxPoints,
        })),
      };
    }
  }
  return {
    labId,
    enrollmentId,
    namespace: enrollment.namespace,
    courseTimeZone: enrollment.course.timeZone,
    schedule: scheduleOf(lab),
    extension: extension
      ? { dueAt: extension.dueAt, reason: extension.reason, createdAt: extension.createdAt }
      : null,
    effectiveDueAt: extension?.dueAt ?? lab.dueAt,
    counted,
    adjustments: adjustments.map((a) => ({
      id: a.id,
      points: a.points,
      reason: a.reason,
      actor: a.actor,
      createdAt: a.createdAt,
    })),
    adjustmentTotal: Number(entry?.adjustment ?? 0),
    finalScore: entry?.finalScore == null ? null : Number(entry.finalScore),
    runs: standing.map((s) => ({
      runId: s.runId,
      queuedAt: new Date(s.queuedAt),
      status: s.status,
      score: s.score == null ? null : Number(s.score),
      maxScore: Number(s.maxScore),
      practice: s.practice,
      lateSteps: s.lateSteps,
      latePercent: Number(s.latePercent),
      effectiveScore: s.effectiveScore == null ? null : Number(s.effectiveScore),
      counted: s.runId === entry?.countedRunId,
    })),
  };
}

/** The score after a deduction of `percent`, as the database rounds it (2 decimals). */
export function applyLate(score: number, percent: number): number {
  return percent <= 0 ? score : Math.round(score * (100 - percent)) / 100;
}

// Database rows -> GraphQL objects that need more than a field copy.
import type { CheckResult as CheckRow, GradingRun } from '@kubegrade/db';
import type { LabView } from '../lib/labs.ts';

/** A CheckResult in the GraphQL shape. */
export interface CheckView {
  checkId: string;
  title: { zh: string; en: string };
  status: string;
  points: number;
  maxPoints: number;
  message: string | null;
  hint: unknown;
  evidence: unknown;
  durationMs: number | null;
  finishedAt: Date | null;
}

/** Every check of the lab in order, with the run's results where they exist (else PENDING). */
export function mergeChecks(lab: LabView | undefined, rows: CheckRow[]): CheckView[] {
  const byId = new Map(rows.map((r) => [r.checkId, r]));
  const fromRow = (r: CheckRow, title: { zh: string; en: string }): CheckView => ({
    checkId: r.checkId,
    title,
    status: r.status,
    points: r.points,
    maxPoints: r.maxPoints,
    message: r.message,
    hint: r.hint,
    evidence: r.evidence,
    durationMs: r.durationMs,
    finishedAt: r.finishedAt,
  });
  if (!lab) return rows.sort((a, b) => a.position - b.position).map((r) => fromRow(r, { zh: r.checkId, en: r.checkId }));
  return lab.checks.map((c) => {
    const r = byId.get(c.id);
    return r
      ? fromRow(r, c.title)
      : { checkId: c.id, title: c.title, status: 'PENDING', points: 0, maxPoints: c.points, message: null, hint: null, evidence: null, durationMs: null, finishedAt: null };
  });
}

/** A run as resolvers pass it around (the Prisma row; field resolvers and loaders add the rest). */
export type RunObj = GradingRun;

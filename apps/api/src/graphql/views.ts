// Database rows -> GraphQL objects that need more than a field copy.
import type { CheckResult as CheckRow } from '@kubegrade/db';
import { localizeEvidence } from '@kubegrade/grader';
import { messageText } from '../lib/messages.ts';
import type { LabView } from '../lib/labs.ts';

/** A CheckResult in the GraphQL shape. */
export interface CheckView {
  checkId: string;
  title: { zh: string; en: string };
  status: string;
  points: number;
  maxPoints: number;
  message: string | null;
  /** The grader catalog key of the message (null for results stored before the catalog). */
  messageKey: string | null;
  /** The message in both languages, rendered from its key and parameters (older rows: the English text). */
  messageText: { zh: string; en: string } | null;
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
    messageKey: r.messageKey,
    messageText: messageText(r),
    hint: r.hint,
    evidence: localizeEvidence(r.evidence),
    durationMs: r.durationMs,
    finishedAt: r.finishedAt,
  });
  if (!lab)
    return rows
      .sort((a, b) => a.position - b.position)
      .map((r) => fromRow(r, { zh: r.checkId, en: r.checkId }));
  return lab.checks.map((c) => {
    const r = byId.get(c.id);
    return r
      ? fromRow(r, c.title)
      : {
          checkId: c.id,
          title: c.title,
          status: 'PENDING',
          points: 0,
          maxPoints: c.points,
          message: null,
          messageKey: null,
          messageText: null,
          hint: null,
          evidence: null,
          durationMs: null,
          finishedAt: null,
        };
  });
}

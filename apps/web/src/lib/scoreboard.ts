// Pure scoreboard logic: merging live row updates and summarising them for screen readers.
import type { ScoreboardRow } from './types';

/** Replaces the row with the same enrollment (or appends it); returns a new array. */
export function mergeRow(rows: ScoreboardRow[], updated: ScoreboardRow): ScoreboardRow[] {
  const i = rows.findIndex((r) => r.enrollment.id === updated.enrollment.id);
  if (i === -1) return [...rows, updated];
  const next = rows.slice();
  next[i] = updated;
  return next;
}

/** What changed for one student since the previous version of their row. */
export interface RowChange {
  name: string;
  score: number | null;
  maxScore: number;
  running: boolean;
}

/** Describes an updated row compared with its previous version. */
export function describeChange(updated: ScoreboardRow): RowChange {
  const running = updated.latestRun?.status === 'QUEUED' || updated.latestRun?.status === 'RUNNING';
  return { name: updated.student.name, score: updated.score, maxScore: updated.maxScore, running };
}

/**
 * Collapses a burst of updates into one entry per student (the latest wins), keeping first-seen
 * order, so the live region says "3 students updated" rather than re-reading the table.
 */
export function coalesce(changes: { enrollmentId: string; change: RowChange }[]): RowChange[] {
  const byId = new Map<string, RowChange>();
  for (const { enrollmentId, change } of changes) {
    byId.delete(enrollmentId);
    byId.set(enrollmentId, change);
  }
  return [...byId.values()];
}

/** Builds the export URL with the same filters as the table. */
export function exportUrl(
  labId: string,
  filter: { search?: string; status?: string; checkId?: string },
): string {
  const params = new URLSearchParams();
  if (filter.search) params.set('search', filter.search);
  if (filter.status) params.set('status', filter.status);
  if (filter.checkId) params.set('checkId', filter.checkId);
  const qs = params.toString();
  return `/export/scoreboard/${encodeURIComponent(labId)}.csv${qs ? `?${qs}` : ''}`;
}

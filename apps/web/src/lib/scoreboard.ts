// Pure scoreboard logic: the filter in the URL, merging live row updates and summarising them for
// screen readers.
import type { CheckStatus, ScoreboardRow } from './types';

/** The statuses the filter offers, in the order it lists them. */
export const FILTER_STATUSES: readonly CheckStatus[] = [
  'FAIL',
  'ERROR',
  'PASS',
  'SKIPPED',
  'RUNNING',
  'PENDING',
];

/** The scoreboard's filter: the query's `filter` variable, the page's URL and the CSV export's. */
export interface ScoreboardFilter {
  search?: string;
  status?: CheckStatus;
  checkId?: string;
}

type SearchParams = Record<string, string | string[] | undefined> | URLSearchParams;

function param(params: SearchParams, name: string): string {
  const v = params instanceof URLSearchParams ? params.get(name) : params[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

/** Reads the filter from the page's search params (`?search=&status=&checkId=`); unknown statuses are dropped. */
export function filterFromParams(params: SearchParams): ScoreboardFilter {
  const search = param(params, 'search');
  const status = FILTER_STATUSES.find((s) => s === param(params, 'status'));
  const checkId = param(params, 'checkId');
  return {
    ...(search ? { search } : {}),
    ...(status ? { status } : {}),
    ...(checkId ? { checkId } : {}),
  };
}

/** The filter as a query string (`?search=…`, or '' when nothing is filtered). */
export function filterQuery(filter: ScoreboardFilter): string {
  const params = new URLSearchParams();
  if (filter.search) params.set('search', filter.search);
  if (filter.status) params.set('status', filter.status);
  if (filter.checkId) params.set('checkId', filter.checkId);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/** Whether any part of the filter is set. */
export function isFiltered(filter: ScoreboardFilter): boolean {
  return Boolean(filter.search || filter.status || filter.checkId);
}

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
  return { name: updated.student.name, score: updated.finalScore, maxScore: updated.maxScore, running };
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
export function exportUrl(labId: string, filter: ScoreboardFilter): string {
  return `/export/scoreboard/${encodeURIComponent(labId)}.csv${filterQuery(filter)}`;
}

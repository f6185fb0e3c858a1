// Class insight's URL state (`?stuckRuns=`), read by the server page and written by its island.

/** The default "same failing hint on the last N graded runs". */
export const DEFAULT_STUCK_RUNS = 3;

/** N from the URL or the form: a whole number from 2 to 20, else the default. */
export function parseStuckRuns(value: string | string[] | undefined | null): number {
  const raw = Array.isArray(value) ? value[0] : value;
  const n = Math.trunc(Number(raw));
  if (!raw || !Number.isFinite(n) || n === 0) return DEFAULT_STUCK_RUNS;
  return Math.max(2, Math.min(20, n));
}

/** The query string for N ('' for the default, so the plain page URL stays plain). */
export function stuckRunsQuery(stuckRuns: number): string {
  return stuckRuns === DEFAULT_STUCK_RUNS ? '' : `?stuckRuns=${stuckRuns}`;
}

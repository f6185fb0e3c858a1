// Pure helpers for live runs: events can arrive out of order (a poll answer after a pushed
// event), so the view keeps whichever version of the run has progressed further.
import type { GradingRun, RunStatus } from './types';

const STAGE: Record<RunStatus, number> = {
  QUEUED: 0,
  RUNNING: 1,
  PASSED: 2,
  FAILED: 2,
  ERROR: 2,
  CANCELLED: 2,
};

function settledChecks(run: GradingRun): number {
  return run.checks.filter((c) => c.status !== 'PENDING' && c.status !== 'RUNNING').length;
}

function startedChecks(run: GradingRun): number {
  return run.checks.filter((c) => c.status !== 'PENDING').length;
}

/**
 * Of two versions of the same run, the one further along (ties go to the incoming one); of two
 * different runs, the one queued later.
 */
export function newerRun(current: GradingRun | null, incoming: GradingRun): GradingRun {
  if (!current) return incoming;
  if (current.id !== incoming.id)
    return Date.parse(incoming.queuedAt) >= Date.parse(current.queuedAt) ? incoming : current;
  const a = [STAGE[current.status], settledChecks(current), startedChecks(current)];
  const b = [STAGE[incoming.status], settledChecks(incoming), startedChecks(incoming)];
  for (let i = 0; i < a.length; i++) {
    if ((b[i] ?? 0) > (a[i] ?? 0)) return incoming;
    if ((b[i] ?? 0) < (a[i] ?? 0)) return current;
  }
  return incoming;
}

/**
 * The run of a lab's history (newest first) that a card showing `current` should switch to: the
 * newest one, when it was queued after `current` (a run the card did not start itself, or whose
 * submit answer the card did not keep); null when the card is already on it or on a newer one.
 */
export function runToFollow(
  current: GradingRun | null,
  newest: { id: string; queuedAt: string } | undefined,
): string | null {
  if (!newest || newest.id === current?.id) return null;
  if (current && Date.parse(newest.queuedAt) <= Date.parse(current.queuedAt)) return null;
  return newest.id;
}

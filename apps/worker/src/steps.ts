// What the worker does with a grading job once the grader has stopped: a pure function of the
// attempt's outcome and the job's tries, so every branch is a row of a table in test/steps.test.ts.
// job.ts carries the step out (the writes, the job's completion).
import type { RunResult } from '@kubegrade/grader';

/** Why an attempt's grader was aborted. */
export type AbortReason = 'cancelled' | 'lost' | 'shutdown' | 'lease';

/** How an attempt ended: the grader's result, or stopped from outside (a lease timeout still yields a result). */
export type AttemptOutcome =
  { kind: 'result'; result: RunResult } | { kind: 'stopped'; reason: Exclude<AbortReason, 'lease'> };

/** The job's place in pg-boss's retries, and the run's attempt number. */
export interface Tries {
  attempt: number;
  retryCount: number;
  retryLimit: number;
}

/** What to do next. */
export type NextStep =
  /** Record the verdict and complete the job. */
  | { kind: 'finish'; status: 'PASSED' | 'FAILED'; result: RunResult }
  /** Put the run back to QUEUED with `note` and fail the job with `detail`, so pg-boss retries it. */
  | { kind: 'retry'; note: string; detail: string }
  /** End the run ERROR with `note` (the student's token refunded) and complete the job. */
  | { kind: 'error'; note: string; detail: string }
  /** The worker is stopping: put the run back to QUEUED with `note` for another worker. */
  | { kind: 'release'; note: string }
  /** Nothing to write: the run was cancelled, or another attempt owns it (and its job). */
  | { kind: 'leave'; reason: 'cancelled' | 'lost' };

/** "check-id: message; ..." for the checks that errored. */
export function errorSummary(result: RunResult): string {
  const errored = result.checks.filter((c) => c.status === 'error');
  return errored.map((c) => `${c.id}: ${c.message}`).join('; ') || 'the grader reported an error';
}

/** The step after an attempt: infrastructure errors are retried until the job's last try. */
export function nextStep(outcome: AttemptOutcome, tries: Tries): NextStep {
  if (outcome.kind === 'stopped') {
    if (outcome.reason === 'shutdown')
      return { kind: 'release', note: 'the worker shut down during grading; another worker will take it' };
    return { kind: 'leave', reason: outcome.reason };
  }
  const { result } = outcome;
  if (result.status === 'error') {
    const detail = errorSummary(result);
    if (tries.retryCount < tries.retryLimit)
      return {
        kind: 'retry',
        detail,
        note: `attempt ${tries.attempt} hit an infrastructure error, retrying: ${detail}`,
      };
    return {
      kind: 'error',
      detail,
      note: `infrastructure error after ${tries.attempt} attempt(s): ${detail}`,
    };
  }
  return { kind: 'finish', status: result.status === 'passed' ? 'PASSED' : 'FAILED', result };
}

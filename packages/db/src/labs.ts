// What the Lab table's definition (the grader's lab as JSON) says that the api, the queue and the
// worker all need the same answer to: a check's points and the lab's max score.

/** A check's points as a lab definition gives them (0 when missing or not a number). */
export function checkPoints(check: { points?: unknown }): number {
  return typeof check.points === 'number' ? check.points : 0;
}

/**
 * The most a run of the lab can score: the sum of its checks' points. The one definition, used by
 * submitRun (a queued run), the worker (each attempt) and the api (the lab's view).
 */
export function labMaxScore(checks: readonly { points?: unknown }[] | null | undefined): number {
  return (checks ?? []).reduce((sum, c) => sum + checkPoints(c), 0);
}

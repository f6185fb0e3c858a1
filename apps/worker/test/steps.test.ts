// What follows an attempt (nextStep), for every way an attempt ends: no database, no cluster.
import { describe, expect, it } from 'vitest';
import type { CheckResult, RunResult } from '@kubegrade/grader';
import { errorSummary, nextStep, type AttemptOutcome, type NextStep, type Tries } from '../src/steps.ts';

const check = (id: string, status: CheckResult['status'], message = ''): CheckResult => ({
  id,
  title: { zh: id, en: id },
  status,
  points: status === 'pass' ? 10 : 0,
  maxPoints: 10,
  message,
  hint: null,
  evidence: {},
  durationMs: 1,
});
const result = (status: RunResult['status'], checks: CheckResult[]): RunResult => ({
  lab: 'lab',
  labVersion: '1',
  namespace: 'ann',
  score: 10,
  maxScore: 20,
  status,
  graderVersion: 'test',
  checks,
});

const passed = result('passed', [check('a', 'pass'), check('b', 'pass')]);
const failed = result('failed', [check('a', 'pass'), check('b', 'fail', 'no claim')]);
const errored = result('error', [
  check('a', 'pass'),
  check('b', 'error', 'API 500'),
  check('c', 'error', 'timeout'),
]);
const erroredSilently = result('error', [check('a', 'skipped')]);

const first: Tries = { attempt: 1, retryCount: 0, retryLimit: 3 };
const last: Tries = { attempt: 4, retryCount: 3, retryLimit: 3 };

describe('nextStep', () => {
  const table: [string, AttemptOutcome, Tries, NextStep][] = [
    [
      'a pass is recorded',
      { kind: 'result', result: passed },
      first,
      { kind: 'finish', status: 'PASSED', result: passed },
    ],
    [
      'a fail is recorded',
      { kind: 'result', result: failed },
      first,
      { kind: 'finish', status: 'FAILED', result: failed },
    ],
    [
      'a fail on the last try is still a verdict',
      { kind: 'result', result: failed },
      last,
      { kind: 'finish', status: 'FAILED', result: failed },
    ],
    [
      'an infrastructure error with tries left is retried',
      { kind: 'result', result: errored },
      first,
      {
        kind: 'retry',
        detail: 'b: API 500; c: timeout',
        note: 'attempt 1 hit an infrastructure error, retrying: b: API 500; c: timeout',
      },
    ],
    [
      'an infrastructure error on the last try ends the run ERROR',
      { kind: 'result', result: errored },
      last,
      {
        kind: 'error',
        detail: 'b: API 500; c: timeout',
        note: 'infrastructure error after 4 attempt(s): b: API 500; c: timeout',
      },
    ],
    [
      'an error without an errored check says the grader reported it',
      { kind: 'result', result: erroredSilently },
      { attempt: 2, retryCount: 1, retryLimit: 1 },
      {
        kind: 'error',
        detail: 'the grader reported an error',
        note: 'infrastructure error after 2 attempt(s): the grader reported an error',
      },
    ],
    [
      'shutdown releases the run to another worker',
      { kind: 'stopped', reason: 'shutdown' },
      first,
      { kind: 'release', note: 'the worker shut down during grading; another worker will take it' },
    ],
    [
      'a cancelled run is left as it is',
      { kind: 'stopped', reason: 'cancelled' },
      first,
      { kind: 'leave', reason: 'cancelled' },
    ],
    [
      'a run another attempt owns is left to it',
      { kind: 'stopped', reason: 'lost' },
      last,
      { kind: 'leave', reason: 'lost' },
    ],
  ];
  it.each(table)('%s', (_name, outcome, tries, expected) => {
    expect(nextStep(outcome, tries)).toEqual(expected);
  });
});

describe('errorSummary', () => {
  it('names each errored check with its message, in order', () => {
    expect([errorSummary(errored), errorSummary(erroredSilently), errorSummary(passed)]).toEqual([
      'b: API 500; c: timeout',
      'the grader reported an error',
      'the grader reported an error',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_STUCK_RUNS, parseStuckRuns, stuckRunsQuery } from './insight';

describe('parseStuckRuns', () => {
  it.each([
    [undefined, DEFAULT_STUCK_RUNS],
    [null, DEFAULT_STUCK_RUNS],
    ['', DEFAULT_STUCK_RUNS],
    ['abc', DEFAULT_STUCK_RUNS],
    ['0', DEFAULT_STUCK_RUNS],
    ['1', 2],
    ['2', 2],
    ['5', 5],
    ['5.7', 5],
    ['20', 20],
    ['99', 20],
    ['-4', 2],
    [['7', '9'], 7],
  ] as const)('%j -> %d', (value, expected) => {
    expect(parseStuckRuns(value as string | string[] | undefined | null)).toBe(expected);
  });
});

describe('stuckRunsQuery', () => {
  it('leaves the default out of the URL', () => {
    expect(stuckRunsQuery(DEFAULT_STUCK_RUNS)).toBe('');
    expect(stuckRunsQuery(5)).toBe('?stuckRuns=5');
  });
});

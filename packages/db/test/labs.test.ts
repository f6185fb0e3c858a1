// A lab definition's points and max score, as the api, the queue and the worker all read them.
import { describe, expect, it } from 'vitest';
import { checkPoints, labMaxScore } from '../src/labs.ts';

describe('labMaxScore', () => {
  const table: [string, { points?: unknown }[] | null | undefined, number][] = [
    ['no definition', undefined, 0],
    ['null checks', null, 0],
    ['no checks', [], 0],
    ['the sum of the points', [{ points: 2 }, { points: 3 }, { points: 5 }], 10],
    ['a check without points counts 0', [{ points: 4 }, {}], 4],
    ['points that are not a number count 0', [{ points: '7' }, { points: null }, { points: 1.5 }], 1.5],
  ];
  it.each(table)('%s', (_name, checks, expected) => {
    expect(labMaxScore(checks)).toBe(expected);
  });

  it('checkPoints reads one check the same way', () => {
    expect([{ points: 3 }, {}, { points: '3' }].map(checkPoints)).toEqual([3, 0, 0]);
  });
});

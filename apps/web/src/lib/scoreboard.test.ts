import { describe, expect, it } from 'vitest';
import {
  coalesce,
  exportUrl,
  filterFromParams,
  filterQuery,
  isFiltered,
  mergeRow,
  type ScoreboardFilter,
} from './scoreboard';
import type { ScoreboardRow } from './types';

function row(id: string, name: string, score: number | null): ScoreboardRow {
  return {
    enrollment: { id, namespace: `ns-${id}` },
    student: { id: `u-${id}`, name, email: `${name}@example.edu`, studentId: null },
    namespace: `ns-${id}`,
    latestRun: null,
    bestScore: score,
    score,
    finalScore: score,
    maxScore: 100,
    cells: [],
    lastGradedAt: null,
    live: null,
  };
}

describe('scoreboard helpers', () => {
  it('replaces a student row in place and appends a new student', () => {
    const rows = [row('1', 'Ann', 10), row('2', 'Bo', 20)];
    const merged = mergeRow(rows, row('2', 'Bo', 90));
    expect(merged.map((r) => r.score)).toEqual([10, 90]);
    expect(rows[1]?.score).toBe(20);
    expect(mergeRow(rows, row('3', 'Cy', 5)).map((r) => r.student.name)).toEqual(['Ann', 'Bo', 'Cy']);
  });

  it('summarises a burst once per student, keeping the latest state', () => {
    const c = (name: string, score: number | null, running: boolean) => ({
      name,
      score,
      maxScore: 100,
      running,
    });
    const out = coalesce([
      { enrollmentId: '1', change: c('Ann', null, true) },
      { enrollmentId: '2', change: c('Bo', 50, false) },
      { enrollmentId: '1', change: c('Ann', 100, false) },
    ]);
    expect(out).toEqual([c('Bo', 50, false), c('Ann', 100, false)]);
  });

  it('exports with the same filters as the table', () => {
    expect(exportUrl('redis-exist-pvc', {})).toBe('/export/scoreboard/redis-exist-pvc.csv');
    expect(exportUrl('lab', { status: 'FAIL', search: 'ann li' })).toBe(
      '/export/scoreboard/lab.csv?search=ann+li&status=FAIL',
    );
  });

  // The filter lives in the URL: a reload or a shared link keeps it.
  const fromParams: [string, Record<string, string | string[] | undefined>, ScoreboardFilter][] = [
    ['nothing', {}, {}],
    [
      'all three',
      { search: 'ann', status: 'FAIL', checkId: 'pvc-bound' },
      { search: 'ann', status: 'FAIL', checkId: 'pvc-bound' },
    ],
    [
      'spaces trimmed, empty dropped',
      { search: '  ann li ', status: '', checkId: ' ' },
      { search: 'ann li' },
    ],
    ['an unknown status is dropped', { status: 'BROKEN' }, {}],
    ['a status must match exactly', { status: 'fail' }, {}],
    ['a repeated parameter takes the first', { status: ['PASS', 'FAIL'] }, { status: 'PASS' }],
    ['other parameters are ignored', { page: '2', checkId: 'headless-dns' }, { checkId: 'headless-dns' }],
  ];
  it.each(fromParams)('reads the filter from the URL: %s', (_name, params, expected) => {
    expect(filterFromParams(params)).toEqual(expected);
    expect(
      filterFromParams(
        new URLSearchParams(
          Object.entries(params).flatMap(([k, v]) =>
            Array.isArray(v) ? v.map((x) => [k, x]) : v === undefined ? [] : [[k, v]],
          ),
        ),
      ),
    ).toEqual(expected);
  });

  const toQuery: [ScoreboardFilter, string, boolean][] = [
    [{}, '', false],
    [{ search: 'ann li' }, '?search=ann+li', true],
    [{ status: 'ERROR' }, '?status=ERROR', true],
    [
      { checkId: 'pv-claimref', status: 'PASS', search: 'x' },
      '?search=x&status=PASS&checkId=pv-claimref',
      true,
    ],
  ];
  it.each(toQuery)('writes the filter %j as %j', (filter, qs, filtered) => {
    expect(filterQuery(filter)).toBe(qs);
    expect(isFiltered(filter)).toBe(filtered);
    expect(filterFromParams(new URLSearchParams(qs))).toEqual(filter);
  });
});

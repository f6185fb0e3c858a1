import { describe, expect, it } from 'vitest';
import { coalesce, exportUrl, mergeRow } from './scoreboard';
import type { ScoreboardRow } from './types';

function row(id: string, name: string, score: number | null): ScoreboardRow {
  return {
    enrollment: { id, namespace: `ns-${id}` },
    student: { id: `u-${id}`, name, email: `${name}@example.edu`, studentId: null },
    namespace: `ns-${id}`,
    latestRun: null,
    bestScore: score,
    score,
    maxScore: 100,
    cells: [],
    lastGradedAt: null,
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
});

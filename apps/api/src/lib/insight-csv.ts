// The class insight of a lab as CSV: one line per failing hint (with the students' namespaces),
// per stuck student and per check's time to first pass.
import type { ClassInsight } from '@kubegrade/db';
import { toCsv } from './csv.ts';

/** CSV text of the insight (cells neutralised against formula injection by toCsv). */
export function insightCsv(x: ClassInsight): string {
  const header = [
    'kind',
    'check_id',
    'hint_key',
    'students',
    'namespaces',
    'passed',
    'tried',
    'median_seconds_to_pass',
    'runs',
  ];
  const rows: unknown[][] = [
    ...x.failures.map((f) => [
      'failure',
      f.checkId,
      f.hintKey ?? '',
      f.students.length,
      f.students.map((s) => s.namespace).join(' '),
      '',
      '',
      '',
      '',
    ]),
    ...x.stuck.map((s) => ['stuck', s.checkId, s.hintKey, 1, s.namespace, '', '', '', s.runs]),
    ...x.timeToPass.map((t) => [
      'time_to_pass',
      t.checkId,
      '',
      '',
      '',
      t.passed,
      t.tried,
      t.medianSeconds ?? '',
      '',
    ]),
  ];
  return toCsv([header, ...rows]);
}

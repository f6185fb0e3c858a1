// Gradebook CSVs an LMS imports as they are: Canvas's and Moodle's column conventions, one row per
// student (identified by the roster's student id and email), one column per lab, holding the
// scoreboard's counted score (`finalScore`: the counted run under the lab's policy, late deduction
// and adjustments). The rows come from queryScoreboard, so they match the scoreboard.
import type { PrismaClient } from '@kubegrade/db';
import type { LabView } from './labs.ts';
import { queryScoreboard } from './scoreboard.ts';
import { toCsv } from './csv.ts';

/** The LMS formats. */
export const GRADEBOOK_FORMATS = ['canvas', 'moodle'] as const;

/** One LMS format. */
export type GradebookFormat = (typeof GRADEBOOK_FORMATS)[number];

/** One student's counted score per lab (null: nothing counted yet). */
export interface GradebookRow {
  name: string;
  email: string;
  studentId: string | null;
  scores: (number | null)[];
}

/** Every enrolled student of the course (or all courses) with their counted score in each lab. */
export async function gradebookRows(
  db: PrismaClient,
  labs: LabView[],
  courseId: string | null,
): Promise<GradebookRow[]> {
  const byEnrollment = new Map<string, GradebookRow>();
  for (const [i, lab] of labs.entries()) {
    const data = await queryScoreboard(db, lab, { sort: 'NAME', first: null });
    for (const r of data.rows) {
      if (courseId && r.courseId !== courseId) continue;
      let row = byEnrollment.get(r.enrollmentId);
      if (!row) {
        row = { name: r.name, email: r.email, studentId: r.studentId, scores: labs.map(() => null) };
        byEnrollment.set(r.enrollmentId, row);
      }
      row.scores[i] = r.finalScore;
    }
  }
  return [...byEnrollment.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email),
  );
}

/** A score as the LMS reads it: a plain decimal, at most 2 places; empty when nothing counts yet. */
function cell(score: number | null): number | string {
  return score === null ? '' : Math.round(score * 100) / 100;
}

/** The column title of a lab: its English title with the id, so two labs never share a column. */
function labColumn(lab: LabView): string {
  return `${lab.title.en} [${lab.id}]`;
}

/**
 * Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one column per
 * assignment (a title Canvas does not know creates the assignment), and the "Points Possible" row.
 * ID (Canvas's own user id) is left empty: Canvas matches on SIS User ID (the roster's student id)
 * or SIS Login ID (the email).
 */
export function canvasCsv(labs: LabView[], rows: GradebookRow[]): string {
  return toCsv([
    ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', ...labs.map(labColumn)],
    ['Points Possible', '', '', '', '', ...labs.map((l) => l.maxScore)],
    ...rows.map((r) => [r.name, '', r.studentId ?? '', r.email, '', ...r.scores.map(cell)]),
  ]);
}

/**
 * Moodle's grade import (Grades > Import > CSV file): an identity column to map to "ID number" or
 * "Email address", then one column per grade item, named as Moodle's own export names them
 * (`<item> (Real)`); each maps to an existing or a new grade item.
 */
export function moodleCsv(labs: LabView[], rows: GradebookRow[]): string {
  return toCsv([
    ['ID number', 'Email address', 'Full name', ...labs.map((l) => `${labColumn(l)} (Real)`)],
    ...rows.map((r) => [r.studentId ?? '', r.email, r.name, ...r.scores.map(cell)]),
  ]);
}

// The one way the worker reads a lab: the Lab row's definition validated by the grader.
import type { Lab as LabRow } from '@kubegrade/db';
import { validateLab, type Lab } from '@kubegrade/grader';

/**
 * The grader's lab from a Lab row (read on every run, so an instructor's edit applies to the next
 * one), or why the stored definition cannot be graded.
 */
export function readLab(
  row: Pick<LabRow, 'id' | 'definition'>,
): { ok: true; lab: Lab } | { ok: false; detail: string } {
  const parsed = validateLab(row.definition, `labs table: ${row.id}`);
  if (parsed.ok) return { ok: true, lab: parsed.lab };
  return {
    ok: false,
    detail: `lab ${row.id} in the database is invalid: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
  };
}

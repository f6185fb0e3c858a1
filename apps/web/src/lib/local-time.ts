// `<input type="datetime-local">` values: a wall-clock time in the viewer's zone, without a zone.

/** An ISO date as a datetime-local value in the viewer's zone ("2026-12-20T23:59"), '' for none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A datetime-local value (the viewer's zone) as a UTC ISO string, or null when empty. */
export function fromLocalInput(v: string): string | null {
  return v ? new Date(v).toISOString() : null;
}

// Small formatting helpers shared by the pages; dates use the viewer's own time zone.

/** "1:05" for 65 seconds; "0:07" for 7. */
export function formatCountdown(totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** A date and time in the viewer's time zone and language. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/** A compact date and time for table cells, in the viewer's time zone. */
export function formatShortDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** A score such as "7 / 10" (points may be fractional). */
export function formatScore(score: number | null | undefined, max: number): string {
  if (score === null || score === undefined) return `— / ${trim(max)}`;
  return `${trim(score)} / ${trim(max)}`;
}

/** Drops needless decimals: 3 -> "3", 2.5 -> "2.5", 2.3333 -> "2.33". */
export function trim(n: number): string {
  return String(Math.round(n * 100) / 100);
}

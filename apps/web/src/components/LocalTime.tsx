'use client';
import { useDateTime } from './useHydrated';

/** A date and time in the viewer's zone and language, for server-rendered lists (blank until hydrated). */
export function LocalTime({ iso, fallback = '' }: { iso: string | null | undefined; fallback?: string }) {
  const dateTime = useDateTime();
  if (!iso) return <>{fallback}</>;
  return <time dateTime={iso}>{dateTime(iso)}</time>;
}

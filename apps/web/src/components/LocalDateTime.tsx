'use client';
import { useDateTime } from './useHydrated';

/**
 * A date and time in the viewer's zone and language, for server components to place: the server
 * does not know the zone, so the text appears after hydration (empty in the server's HTML).
 */
export function LocalDateTime({ iso }: { iso: string | null | undefined }) {
  const dateTime = useDateTime();
  return <>{dateTime(iso)}</>;
}

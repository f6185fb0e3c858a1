'use client';
import { useTranslations } from 'next-intl';
import { useDateTime } from './useHydrated';

/**
 * A date and time in the viewer's zone, for server-rendered pages: the server does not know the
 * zone, so the text appears after hydration (an empty <time> before).
 */
export function LocalDateTime({
  iso,
  fallback = '—',
}: {
  iso: string | null | undefined;
  fallback?: string;
}) {
  const dateTime = useDateTime();
  if (!iso) return <>{fallback}</>;
  return <time dateTime={iso}>{dateTime(iso)}</time>;
}

/**
 * A message of `namespace` whose `dates` values are dates formatted in the viewer's zone (after
 * hydration), for server pages whose sentences contain a time, e.g. "Applied by {who} on {when}".
 */
export function DatedMessage({
  namespace,
  id,
  values,
  dates,
}: {
  namespace: string;
  id: string;
  values?: Record<string, string | number>;
  dates: Record<string, string | null | undefined>;
}) {
  const t = useTranslations(namespace);
  const dateTime = useDateTime();
  const formatted = Object.fromEntries(Object.entries(dates).map(([k, iso]) => [k, dateTime(iso)]));
  return <>{t(id, { ...values, ...formatted })}</>;
}

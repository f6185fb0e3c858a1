'use client';
import { useLocale, useTranslations } from 'next-intl';
import { formatDateTime } from '@/lib/format';
import { useHydrated } from './useHydrated';

/** The viewer's time zone, once hydrated (the server does not know it). */
function useViewerTimeZone(): string | null {
  const hydrated = useHydrated();
  return hydrated ? Intl.DateTimeFormat().resolvedOptions().timeZone : null;
}

/** A date in the viewer's zone, and (when it differs) in the course's, which is stated. */
export function LedgerDate({ iso, courseTz }: { iso: string | null; courseTz: string }) {
  const locale = useLocale();
  const viewerTz = useViewerTimeZone();
  if (!iso) return <>—</>;
  if (!viewerTz) return <time dateTime={iso} />;
  const inCourse = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: courseTz,
  }).format(new Date(iso));
  return (
    <time dateTime={iso}>
      {formatDateTime(iso, locale)}
      {viewerTz !== courseTz && (
        <span className="text-slate-600">
          {' '}
          ({inCourse} {courseTz})
        </span>
      )}
    </time>
  );
}

/** "Times are shown in your time zone (…); the course's time zone is …". */
export function LedgerTimeZones({ courseTz }: { courseTz: string }) {
  const t = useTranslations('ledger');
  const viewerTz = useViewerTimeZone();
  return (
    <p className="text-sm text-slate-600">
      {viewerTz ? t('timeZones', { viewer: viewerTz, course: courseTz }) : '\u00a0'}
    </p>
  );
}

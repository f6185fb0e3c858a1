'use client';
import { useTranslations } from 'next-intl';
import { useHydrated } from './useHydrated';

/** The settings page's line about time zones: the viewer's zone is known only in the browser. */
export function LabTimeZoneNote({ courseTimeZone }: { courseTimeZone: string }) {
  const t = useTranslations('labSettings');
  const hydrated = useHydrated();
  const viewer = hydrated ? Intl.DateTimeFormat().resolvedOptions().timeZone : '…';
  return <p className="text-sm text-slate-600">{t('timeZones', { viewer, course: courseTimeZone })}</p>;
}

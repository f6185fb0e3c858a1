'use client';
import { useLocale } from 'next-intl';
import { useCallback, useSyncExternalStore } from 'react';
import { formatDateTime } from '@/lib/format';

const noSubscription = () => () => {};

/**
 * False while the server renders (and while the browser hydrates that HTML), true after. Dates are
 * formatted in the viewer's own time zone, which the server does not know: render them once this is
 * true, or the hydrated text would not match the server's.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** formatDateTime in the viewer's zone and language, once hydrated ('' in the server's render). */
export function useDateTime(): (iso: string | null | undefined) => string {
  const locale = useLocale();
  const hydrated = useHydrated();
  return useCallback((iso) => (hydrated ? formatDateTime(iso, locale) : ''), [hydrated, locale]);
}

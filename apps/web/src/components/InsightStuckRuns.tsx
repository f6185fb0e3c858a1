'use client';
import { useTranslations } from 'next-intl';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { parseStuckRuns, stuckRunsQuery } from '@/lib/insight';

/**
 * The "stuck" threshold N. The applied value is the URL's `?stuckRuns=` (read by the server page, so
 * a reload or a shared link keeps it); this field holds what is being typed and writes the URL after
 * a 300 ms pause.
 */
export function InsightStuckRuns({ stuckRuns }: { stuckRuns: number }) {
  const t = useTranslations('insight');
  const router = useRouter();
  const pathname = usePathname();
  const [value, setValue] = useState(stuckRuns);
  const [pending, startTransition] = useTransition();
  // The URL changed by itself (back, forward): the field follows it.
  useEffect(() => setValue(stuckRuns), [stuckRuns]);
  useEffect(() => {
    if (value === stuckRuns) return;
    const timer = window.setTimeout(
      () => startTransition(() => router.replace(`${pathname}${stuckRunsQuery(value)}`, { scroll: false })),
      300,
    );
    return () => window.clearTimeout(timer);
    // Only a change of the field writes the URL; the URL's own changes are followed above.
  }, [value]);
  return (
    <label className="mb-3 flex items-center gap-2 text-sm">
      {t('stuckRuns')}
      <input
        type="number"
        min="2"
        max="20"
        value={value}
        aria-busy={pending}
        onChange={(e) => setValue(parseStuckRuns(e.target.value))}
        className="w-20 rounded border border-slate-400 px-2 py-1"
        data-testid="stuck-runs"
      />
    </label>
  );
}

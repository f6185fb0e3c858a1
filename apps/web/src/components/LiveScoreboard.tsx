'use client';
import type { RowSelectionState } from '@tanstack/react-table';
import { useLocale, useTranslations } from 'next-intl';
import { usePathname, useRouter } from 'next/navigation';
import { useCallback, useMemo, useState, useTransition } from 'react';
import { pick } from '@/i18n/locales';
import { exportUrl, filterQuery, isFiltered, type ScoreboardFilter } from '@/lib/scoreboard';
import type { Scoreboard, ScoreboardRow } from '@/lib/types';
import { useOnReconnect } from '@/lib/urql';
import { buttonClass } from './forms/fields';
import { RegradeBar, type RegradeTarget } from './RegradeBar';
import { ScoreboardCharts } from './ScoreboardCharts';
import { ScoreboardFilters } from './ScoreboardFilters';
import { ScoreboardTable } from './ScoreboardTable';
import { useLiveScoreboard } from './useLiveScoreboard';

/**
 * The scoreboard's client island. `board` is what the server page fetched for `filter` (the URL);
 * a new filter is a new URL and a refresh is the server page again (router.refresh), both in a
 * transition, so the last answer stays on screen (and the form mounted) while the next one comes.
 */
export function LiveScoreboard({ board, filter }: { board: Scoreboard; filter: ScoreboardFilter }) {
  const t = useTranslations('scoreboard');
  const locale = useLocale();
  const router = useRouter();
  const pathname = usePathname();
  const [refreshing, startTransition] = useTransition();
  const { lab } = board;
  const filtered = isFiltered(filter);

  const refresh = useCallback(() => startTransition(() => router.refresh()), [router]);
  useOnReconnect(refresh);
  const onFilter = useCallback(
    (next: ScoreboardFilter) =>
      startTransition(() => router.replace(`${pathname}${filterQuery(next)}`, { scroll: false })),
    [router, pathname],
  );
  const { rows, flashing, announcement } = useLiveScoreboard(lab.id, board.rows, filtered, refresh);

  const [selection, setSelection] = useState<RowSelectionState>({});
  // Memoised like the callbacks: a live event re-renders the table, not the charts, the filters or
  // the regrade bar (recharts' two charts took ~50 ms of main thread per event).
  const selectedIds = useMemo(() => Object.keys(selection).filter((id) => selection[id]), [selection]);
  const [target, setTarget] = useState<RegradeTarget | null>(null);
  const onRegradeOne = useCallback((row: ScoreboardRow) => setTarget({ kind: 'one', row }), []);
  const onQueued = useCallback(
    (done: RegradeTarget) => {
      if (done.kind === 'selected') setSelection({});
      refresh();
    },
    [refresh],
  );

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold">{t('title', { lab: pick(lab.title, locale) })}</h1>
          <p className="text-sm text-slate-600">
            <code className="font-mono">{lab.id}</code> · v{lab.version} ·{' '}
            {t('showing', { count: rows.length, total: board.total })}
          </p>
        </div>
        <a
          href={exportUrl(lab.id, filter)}
          download
          className={buttonClass.secondary}
          data-testid="export-csv"
        >
          {t('exportCsv')}
        </a>
      </div>

      <p aria-live="polite" role="status" className="text-sm text-slate-700" data-testid="live-summary">
        {announcement}
      </p>

      <ScoreboardCharts passRates={board.passRateByCheck} distribution={board.scoreDistribution} />

      <ScoreboardFilters checks={lab.checks} filter={filter} refreshing={refreshing} onFilter={onFilter} />

      <RegradeBar
        lab={lab}
        total={board.total}
        selectedIds={selectedIds}
        target={target}
        onTarget={setTarget}
        onQueued={onQueued}
      />

      {rows.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-slate-600">
          {filtered ? t('noMatches') : t('noStudents')}
        </p>
      ) : (
        <ScoreboardTable
          lab={lab}
          rows={rows}
          flashing={flashing}
          selection={selection}
          onSelectionChange={setSelection}
          onRegradeOne={onRegradeOne}
        />
      )}
    </div>
  );
}

'use client';
import { useLocale, useTranslations } from 'next-intl';
import { memo, useEffect, useRef, useState } from 'react';
import { pick } from '@/i18n/locales';
import { FILTER_STATUSES, isFiltered, type ScoreboardFilter } from '@/lib/scoreboard';
import type { CheckStatus, LabCheck } from '@/lib/types';
import { buttonClass, SelectField, TextField } from './forms/fields';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(id);
  }, [value, ms]);
  return v;
}

function normalised(filter: { search: string; status: CheckStatus | ''; checkId: string }): ScoreboardFilter {
  return {
    ...(filter.search ? { search: filter.search } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.checkId ? { checkId: filter.checkId } : {}),
  };
}

/**
 * The scoreboard's search, status and check filter. The applied filter is the page's URL (`filter`,
 * read by the server page), so a reload or a shared link keeps it; this form holds what is being
 * typed and asks for a new URL through `onFilter` (the search after a 300 ms pause).
 */
export const ScoreboardFilters = memo(function ScoreboardFilters({
  checks,
  filter,
  refreshing,
  onFilter,
}: {
  checks: LabCheck[];
  filter: ScoreboardFilter;
  refreshing: boolean;
  onFilter: (filter: ScoreboardFilter) => void;
}) {
  const t = useTranslations('scoreboard');
  const locale = useLocale();
  const [search, setSearch] = useState(filter.search ?? '');
  const [status, setStatus] = useState<CheckStatus | ''>(filter.status ?? '');
  const [checkId, setCheckId] = useState(filter.checkId ?? '');
  const debouncedSearch = useDebounced(search.trim(), 300);
  // The URL changed by itself (back, forward): the selects follow it.
  useEffect(() => setStatus(filter.status ?? ''), [filter.status]);
  useEffect(() => setCheckId(filter.checkId ?? ''), [filter.checkId]);

  const applied = useRef(
    normalised({ search: filter.search ?? '', status: filter.status ?? '', checkId: filter.checkId ?? '' }),
  );
  const apply = (next: ScoreboardFilter) => {
    applied.current = next;
    onFilter(next);
  };
  useEffect(() => {
    if (debouncedSearch === (applied.current.search ?? '')) return;
    apply(
      normalised({
        ...applied.current,
        status: applied.current.status ?? '',
        checkId: applied.current.checkId ?? '',
        search: debouncedSearch,
      }),
    );
    // Only a new pause in typing applies the search; the rest is applied as it is chosen.
  }, [debouncedSearch]);

  const filtered = isFiltered(normalised({ search: debouncedSearch, status, checkId }));
  return (
    <form
      role="search"
      className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 bg-white p-4"
      onSubmit={(e) => e.preventDefault()}
    >
      <TextField
        id="sb-search"
        label={t('search')}
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        placeholder={t('searchPlaceholder')}
        controlClass="w-64"
      />
      <SelectField
        id="sb-status"
        label={t('status')}
        controlClass="w-auto"
        value={status}
        onChange={(e) => {
          const next = e.target.value as CheckStatus | '';
          setStatus(next);
          apply(
            normalised({
              search: applied.current.search ?? '',
              status: next,
              checkId: applied.current.checkId ?? '',
            }),
          );
        }}
      >
        <option value="">{t('anyStatus')}</option>
        {FILTER_STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`statusFilter.${s}`)}
          </option>
        ))}
      </SelectField>
      <SelectField
        id="sb-check"
        label={t('check')}
        value={checkId}
        controlClass="max-w-xs"
        onChange={(e) => {
          setCheckId(e.target.value);
          apply(
            normalised({
              search: applied.current.search ?? '',
              status: applied.current.status ?? '',
              checkId: e.target.value,
            }),
          );
        }}
      >
        <option value="">{t('anyCheck')}</option>
        {checks.map((c) => (
          <option key={c.id} value={c.id}>
            {pick(c.title, locale)}
          </option>
        ))}
      </SelectField>
      {filtered && (
        <button
          type="button"
          className={buttonClass.secondary}
          onClick={() => {
            setSearch('');
            setStatus('');
            setCheckId('');
            apply({});
          }}
        >
          {t('clearFilters')}
        </button>
      )}
      {refreshing && <span className="text-sm text-slate-600">{t('refreshing')}</span>}
    </form>
  );
});

'use client';
import type { RowSelectionState } from '@tanstack/react-table';
import { useLocale, useTranslations } from 'next-intl';
import { useParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { RequireRole } from '@/components/AppShell';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { buttonClass } from '@/components/forms/fields';
import { ScoreboardCharts } from '@/components/ScoreboardCharts';
import { ScoreboardTable } from '@/components/ScoreboardTable';
import { pick } from '@/i18n/locales';
import { REGRADE, SCOREBOARD, SCOREBOARD_CHANGED } from '@/lib/queries';
import { coalesce, describeChange, exportUrl, mergeRow, type RowChange } from '@/lib/scoreboard';
import type { CheckStatus, Scoreboard, ScoreboardRow } from '@/lib/types';
import { useOnReconnect } from '@/lib/urql';
import { formatScore } from '@/lib/format';

const STATUSES: CheckStatus[] = ['FAIL', 'ERROR', 'PASS', 'SKIPPED', 'RUNNING', 'PENDING'];
const REFETCH_AFTER_MS = 1200;
const ANNOUNCE_AFTER_MS = 1500;
const FLASH_MS = 2000;

type RegradeTarget =
  { kind: 'one'; row: ScoreboardRow } | { kind: 'selected'; ids: string[] } | { kind: 'all' };

interface LiveEvents {
  seq: number;
  events: { seq: number; row: ScoreboardRow }[];
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(id);
  }, [value, ms]);
  return v;
}

function ScoreboardView({ labId }: { labId: string }) {
  const t = useTranslations('scoreboard');
  const locale = useLocale();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<CheckStatus | ''>('');
  const [checkId, setCheckId] = useState('');
  const debouncedSearch = useDebounced(search.trim(), 300);
  const filter = useMemo(
    () => ({
      search: debouncedSearch || undefined,
      status: status || undefined,
      checkId: checkId || undefined,
    }),
    [debouncedSearch, status, checkId],
  );
  const filtered = Boolean(filter.search || filter.status || filter.checkId);

  const [{ data, error, fetching }, refetch] = useQuery<{ scoreboard: Scoreboard }>({
    query: SCOREBOARD,
    variables: { labId, filter, first: 1000 },
  });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  useOnReconnect(refresh);

  // Keep showing the last answer while a new filter is fetched (the form must not unmount mid-typing).
  const [board, setBoard] = useState<Scoreboard | null>(null);
  const [rows, setRows] = useState<ScoreboardRow[]>([]);
  useEffect(() => {
    if (!data) return;
    setBoard(data.scoreboard);
    setRows(data.scoreboard.rows);
  }, [data]);

  // Live updates: patch the row at once, refresh charts and filters shortly after a burst.
  const [live] = useSubscription<{ scoreboardChanged: ScoreboardRow }, LiveEvents>(
    { query: SCOREBOARD_CHANGED, variables: { labId } },
    (prev, event) => {
      const seq = (prev?.seq ?? 0) + 1;
      return { seq, events: [...(prev?.events ?? []).slice(-500), { seq, row: event.scoreboardChanged }] };
    },
  );
  const seen = useRef(0);
  const pendingAnnounce = useRef<{ enrollmentId: string; change: RowChange }[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const [flashing, setFlashing] = useState<Set<string>>(new Set());
  const refetchTimer = useRef<number | undefined>(undefined);
  const announceTimer = useRef<number | undefined>(undefined);

  useEffect(() => {
    const fresh = (live.data?.events ?? []).filter((e) => e.seq > seen.current);
    if (fresh.length === 0) return;
    seen.current = fresh[fresh.length - 1]?.seq ?? seen.current;
    setRows((cur) => {
      let next = cur;
      for (const { row } of fresh) {
        const known = next.some((r) => r.enrollment.id === row.enrollment.id);
        if (known || !filtered) next = mergeRow(next, row);
      }
      return next;
    });
    const ids = fresh.map((e) => e.row.enrollment.id);
    setFlashing((cur) => new Set([...cur, ...ids]));
    window.setTimeout(
      () => setFlashing((cur) => new Set([...cur].filter((id) => !ids.includes(id)))),
      FLASH_MS,
    );
    pendingAnnounce.current.push(
      ...fresh.map((e) => ({ enrollmentId: e.row.enrollment.id, change: describeChange(e.row) })),
    );
    window.clearTimeout(announceTimer.current);
    announceTimer.current = window.setTimeout(() => {
      const changes = coalesce(pendingAnnounce.current);
      pendingAnnounce.current = [];
      const names = changes
        .slice(0, 5)
        .map((c) =>
          c.running
            ? t('announceRunning', { name: c.name })
            : t('announceScore', { name: c.name, score: formatScore(c.score, c.maxScore) }),
        )
        .join(', ');
      setAnnouncement(t('announce', { count: changes.length, names, more: Math.max(0, changes.length - 5) }));
    }, ANNOUNCE_AFTER_MS);
    window.clearTimeout(refetchTimer.current);
    refetchTimer.current = window.setTimeout(refresh, REFETCH_AFTER_MS);
  }, [live.data, filtered, refresh, t]);
  useEffect(
    () => () => {
      window.clearTimeout(refetchTimer.current);
      window.clearTimeout(announceTimer.current);
    },
    [],
  );

  // Selection and regrades.
  const [selection, setSelection] = useState<RowSelectionState>({});
  const selectedIds = Object.keys(selection).filter((id) => selection[id]);
  const [target, setTarget] = useState<RegradeTarget | null>(null);
  const [nonDisruptive, setNonDisruptive] = useState(true);
  const [regradeState, regrade] = useMutation<{ regrade: { runs: { id: string }[]; joined: number } }>(
    REGRADE,
  );
  const [regradeNotice, setRegradeNotice] = useState<string | null>(null);
  const [regradeError, setRegradeError] = useState<string | null>(null);
  const onRegradeOne = useCallback((row: ScoreboardRow) => setTarget({ kind: 'one', row }), []);

  async function confirmRegrade() {
    if (!target) return;
    setRegradeError(null);
    const vars =
      target.kind === 'all'
        ? { labId, all: true, disruptive: !nonDisruptive }
        : {
            labId,
            enrollmentIds: target.kind === 'one' ? [target.row.enrollment.id] : target.ids,
            all: false,
            disruptive: !nonDisruptive,
          };
    const res = await regrade(vars);
    setTarget(null);
    if (res.error) return setRegradeError(errorMessage(res.error));
    if (res.data)
      setRegradeNotice(
        t('regradeQueued', { runs: res.data.regrade.runs.length, joined: res.data.regrade.joined }),
      );
    if (target.kind === 'selected') setSelection({});
    refresh();
  }

  if (error && !board) return <ErrorNote error={error} onRetry={refresh} />;
  if (!board) return <Loading />;
  const { lab } = board;
  const targetCount = !target
    ? 0
    : target.kind === 'one'
      ? 1
      : target.kind === 'selected'
        ? target.ids.length
        : 0;
  const disruptiveCheck = lab.checks.find((c) => c.disruptive);

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
          href={exportUrl(labId, filter)}
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

      <form
        role="search"
        className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 bg-white p-4"
        onSubmit={(e) => e.preventDefault()}
      >
        <div>
          <label htmlFor="sb-search" className="block text-sm font-medium">
            {t('search')}
          </label>
          <input
            id="sb-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder={t('searchPlaceholder')}
            className="mt-1 w-64 rounded-md border border-slate-400 px-3 py-2"
          />
        </div>
        <div>
          <label htmlFor="sb-status" className="block text-sm font-medium">
            {t('status')}
          </label>
          <select
            id="sb-status"
            value={status}
            onChange={(e) => setStatus(e.target.value as CheckStatus | '')}
            className="mt-1 rounded-md border border-slate-400 bg-white px-3 py-2"
          >
            <option value="">{t('anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`statusFilter.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="sb-check" className="block text-sm font-medium">
            {t('check')}
          </label>
          <select
            id="sb-check"
            value={checkId}
            onChange={(e) => setCheckId(e.target.value)}
            className="mt-1 max-w-xs rounded-md border border-slate-400 bg-white px-3 py-2"
          >
            <option value="">{t('anyCheck')}</option>
            {lab.checks.map((c) => (
              <option key={c.id} value={c.id}>
                {pick(c.title, locale)}
              </option>
            ))}
          </select>
        </div>
        {filtered && (
          <button
            type="button"
            className={buttonClass.secondary}
            onClick={() => {
              setSearch('');
              setStatus('');
              setCheckId('');
            }}
          >
            {t('clearFilters')}
          </button>
        )}
        {fetching && <span className="text-sm text-slate-600">{t('refreshing')}</span>}
      </form>

      <div className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <label className="inline-flex items-center gap-2 text-sm font-medium">
          <input
            type="checkbox"
            className="h-4 w-4"
            checked={nonDisruptive}
            onChange={(e) => setNonDisruptive(e.target.checked)}
          />
          {t('nonDisruptive')}
        </label>
        <span className="text-sm text-slate-600">{t('nonDisruptiveHelp')}</span>
        <div className="ml-auto flex flex-wrap gap-2">
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={selectedIds.length === 0}
            onClick={() => setTarget({ kind: 'selected', ids: selectedIds })}
          >
            {t('regradeSelected', { count: selectedIds.length })}
          </button>
          <button
            type="button"
            className={buttonClass.primary}
            onClick={() => setTarget({ kind: 'all' })}
            disabled={board.total === 0}
          >
            {t('regradeAll')}
          </button>
        </div>
        {regradeNotice && (
          <p role="status" className="w-full text-sm text-green-900">
            {regradeNotice}
          </p>
        )}
        {regradeError && (
          <p role="alert" className="w-full text-sm text-red-900">
            {regradeError}
          </p>
        )}
      </div>

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

      <ConfirmDialog
        open={target !== null}
        title={
          target?.kind === 'one'
            ? t('confirmTitleOne', { name: target.row.student.name })
            : target?.kind === 'all'
              ? t('confirmTitleAll')
              : t('confirmTitle', { count: targetCount })
        }
        confirmLabel={target?.kind === 'all' ? t('regradeAll') : t('confirmRegrade', { count: targetCount })}
        danger={!nonDisruptive}
        busy={regradeState.fetching}
        onConfirm={confirmRegrade}
        onCancel={() => setTarget(null)}
      >
        <p>
          {nonDisruptive
            ? t('confirmNonDisruptive')
            : t('confirmDisruptive', {
                check: disruptiveCheck ? pick(disruptiveCheck.title, locale) : t('podDeleteCheck'),
              })}
        </p>
        {!lab.disruptiveEnabled && <p className="text-sm text-slate-700">{t('disruptiveOffForLab')}</p>}
      </ConfirmDialog>
    </div>
  );
}

/** The instructor's live scoreboard for one lab. */
export default function ScoreboardPage() {
  const params = useParams<{ labId: string }>();
  return (
    <RequireRole roles={['INSTRUCTOR', 'ADMIN']}>
      <ScoreboardView labId={decodeURIComponent(params.labId)} />
    </RequireRole>
  );
}

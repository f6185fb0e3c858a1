'use client';
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type RowSelectionState,
  type SortingState,
} from '@tanstack/react-table';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useHydrated } from './useHydrated';
import { pick } from '@/i18n/locales';
import { formatDateTime, formatScore, formatShortDateTime, trim } from '@/lib/format';
import type { CheckStatus, Lab, ScoreboardRow } from '@/lib/types';
import { ScrollRegion } from './DataTable';
import { buttonClass } from './forms/fields';
import { Spinner, StatusBadge } from './StatusBadge';

const col = createColumnHelper<ScoreboardRow>();

// Sort order for a check column: where students are stuck first.
const STATUS_RANK: Record<CheckStatus, number> = {
  FAIL: 0,
  ERROR: 1,
  SKIPPED: 2,
  RUNNING: 3,
  PENDING: 4,
  PASS: 5,
};

/**
 * The selection and student columns stay in view while the table scrolls sideways (phones): they
 * stick to the left edge, on an opaque background so the scrolled cells pass underneath.
 */
function stickyColumn(id: string, background: string): string {
  if (id === 'select') return `sticky left-0 z-10 w-10 min-w-10 ${background}`;
  if (id === 'student') return `sticky left-10 z-10 ${background} shadow-[1px_0_0_0_var(--color-slate-200)]`;
  return '';
}

/** Where a click on a student's row (or one of its cells) leads: their latest run's report. */
export function runHref(row: ScoreboardRow, labId: string, checkId?: string): string | null {
  if (!row.latestRun) return null;
  const qs = new URLSearchParams({ enrollment: row.enrollment.id, lab: labId });
  return `/runs/${row.latestRun.id}?${qs.toString()}${checkId ? `#check-${checkId}` : ''}`;
}

/** The students x checks table: sortable, selectable, each row leading to the latest run. */
export function ScoreboardTable({
  lab,
  rows,
  flashing,
  selection,
  onSelectionChange,
  onRegradeOne,
}: {
  lab: Lab;
  rows: ScoreboardRow[];
  flashing: ReadonlySet<string>;
  selection: RowSelectionState;
  onSelectionChange: (s: RowSelectionState) => void;
  onRegradeOne: (row: ScoreboardRow) => void;
}) {
  const t = useTranslations('scoreboard');
  const tl = useTranslations('live');
  // The live column appears only while some student has a live state (the lab is live).
  const anyLive = rows.some((r) => r.live);
  const locale = useLocale();
  // The server renders the table too; times appear once the viewer's time zone is known.
  const hydrated = useHydrated();
  const router = useRouter();
  const [sorting, setSorting] = useState<SortingState>([{ id: 'student', desc: false }]);

  const columns = useMemo(
    () => [
      col.display({
        id: 'select',
        header: ({ table }) => (
          <input
            type="checkbox"
            aria-label={t('selectAll')}
            className="h-4 w-4"
            checked={table.getIsAllRowsSelected()}
            ref={(el) => {
              if (el) el.indeterminate = table.getIsSomeRowsSelected();
            }}
            onChange={table.getToggleAllRowsSelectedHandler()}
          />
        ),
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={t('selectRow', { name: row.original.student.name })}
            className="h-4 w-4"
            checked={row.getIsSelected()}
            onChange={row.getToggleSelectedHandler()}
            onClick={(e) => e.stopPropagation()}
          />
        ),
      }),
      col.accessor((r) => r.student.name, {
        id: 'student',
        header: () => t('student'),
        cell: ({ row }) => {
          const href = runHref(row.original, lab.id);
          return (
            <div>
              {href ? (
                // No prefetching from rows (here and the total): a row's links change with each
                // run and every refresh re-prefetched each visible one, so a class regraded at once
                // had the web app render two pages per row per change while the board was updating.
                <Link
                  href={href}
                  prefetch={false}
                  className="font-semibold text-blue-800 underline"
                  onClick={(e) => e.stopPropagation()}
                >
                  {row.original.student.name}
                </Link>
              ) : (
                <span className="font-semibold">{row.original.student.name}</span>
              )}
              <div
                className="max-w-[10rem] truncate text-xs text-slate-600"
                title={row.original.student.email}
              >
                {row.original.student.email}
              </div>
            </div>
          );
        },
      }),
      col.accessor('namespace', {
        header: () => t('namespace'),
        cell: (info) => <code className="font-mono text-sm">{info.getValue()}</code>,
      }),
      ...lab.checks.map((check) =>
        col.accessor((r) => r.cells.find((c) => c.checkId === check.id)?.status ?? 'PENDING', {
          id: `check:${check.id}`,
          header: () => (
            <span
              title={pick(check.title, locale)}
              className="line-clamp-3 min-w-[6rem] max-w-[9rem] text-xs leading-snug"
            >
              {pick(check.title, locale)}
            </span>
          ),
          sortingFn: (a, b, id) =>
            STATUS_RANK[a.getValue<CheckStatus>(id)] - STATUS_RANK[b.getValue<CheckStatus>(id)],
          cell: ({ row }) => {
            const cell = row.original.cells.find((c) => c.checkId === check.id);
            const status = cell?.status ?? 'PENDING';
            return (
              <div className="flex flex-col items-start gap-0.5" data-check={check.id} data-status={status}>
                <StatusBadge status={status} compact />
                {cell && status !== 'PENDING' && status !== 'RUNNING' && (
                  <span className="text-xs tabular-nums text-slate-600">
                    {trim(cell.points)}/{check.points}
                  </span>
                )}
              </div>
            );
          },
        }),
      ),
      // The total is the ledger's final score (the same number the CSV and the student's ledger show).
      col.accessor((r) => r.finalScore ?? -1, {
        id: 'total',
        header: () => t('total'),
        cell: ({ row }) => {
          const running =
            row.original.latestRun?.status === 'QUEUED' || row.original.latestRun?.status === 'RUNNING';
          return (
            <div className="whitespace-nowrap" data-testid="total">
              <Link
                href={`/labs/${encodeURIComponent(lab.id)}/ledger?enrollment=${encodeURIComponent(row.original.enrollment.id)}`}
                prefetch={false}
                className="font-semibold tabular-nums underline decoration-slate-300"
                onClick={(e) => e.stopPropagation()}
              >
                {formatScore(row.original.finalScore, row.original.maxScore)}
              </Link>
              {running && (
                <span className="ml-2 inline-flex items-center gap-1 text-xs text-sky-900">
                  <Spinner /> {t('grading')}
                </span>
              )}
            </div>
          );
        },
      }),
      ...(anyLive
        ? [
            col.display({
              id: 'live',
              header: () => tl('scoreboardColumn'),
              cell: ({ row }) => {
                const live = row.original.live;
                if (!live) return <span className="text-slate-500">—</span>;
                const state =
                  live.status === 'LIVE'
                    ? tl('scoreboardLive', { passed: live.passed, checks: live.checks })
                    : tl('scoreboardPaused');
                return (
                  <span
                    data-live={live.status}
                    aria-label={tl('scoreboardLabel', { name: row.original.student.name, state })}
                    className={`inline-flex items-center gap-1 whitespace-nowrap text-xs font-medium ${live.status === 'LIVE' ? 'text-green-900' : 'text-slate-600'}`}
                  >
                    <span
                      aria-hidden="true"
                      className={`inline-block h-2 w-2 rounded-full ${live.status === 'LIVE' ? 'bg-green-600' : 'bg-slate-400'}`}
                    />
                    {state}
                  </span>
                );
              },
            }),
          ]
        : []),
      col.accessor((r) => (r.lastGradedAt ? Date.parse(r.lastGradedAt) : 0), {
        id: 'lastGraded',
        header: () => t('lastGraded'),
        cell: ({ row }) => (
          <time
            dateTime={row.original.lastGradedAt ?? undefined}
            title={hydrated ? formatDateTime(row.original.lastGradedAt, locale) : undefined}
            className="whitespace-nowrap text-sm tabular-nums"
          >
            {hydrated ? formatShortDateTime(row.original.lastGradedAt, locale) : ''}
          </time>
        ),
      }),
      col.display({
        id: 'actions',
        header: () => <span className="sr-only">{t('actions')}</span>,
        cell: ({ row }) => (
          <button
            type="button"
            className={buttonClass.small}
            onClick={(e) => {
              e.stopPropagation();
              onRegradeOne(row.original);
            }}
            aria-label={t('regradeOneLabel', { name: row.original.student.name })}
          >
            {t('regradeOne')}
          </button>
        ),
      }),
    ],
    [lab, locale, t, onRegradeOne, anyLive, tl, hydrated],
  );

  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, rowSelection: selection },
    getRowId: (r) => r.enrollment.id,
    onSortingChange: setSorting,
    onRowSelectionChange: (updater) =>
      onSelectionChange(typeof updater === 'function' ? updater(selection) : updater),
    enableRowSelection: true,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });

  const caption = t('tableCaption', { lab: pick(lab.title, locale) });
  return (
    <ScrollRegion
      label={caption}
      className="rounded-lg border border-slate-200 bg-white"
      testId="scoreboard-scroll"
    >
      <table className="w-full border-collapse text-left text-sm" data-testid="scoreboard-table">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100">
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((header) => {
                const sortable =
                  header.column.getCanSort() &&
                  header.column.id !== 'select' &&
                  header.column.id !== 'actions';
                const dir = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                    className={`border-b border-slate-300 px-2 py-2 align-bottom font-semibold text-slate-800 ${stickyColumn(header.column.id, 'bg-slate-100')}`}
                  >
                    {sortable ? (
                      <button
                        type="button"
                        onClick={header.column.getToggleSortingHandler()}
                        className="inline-flex items-center gap-1 text-left hover:underline"
                      >
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span aria-hidden="true" className="text-slate-500">
                          {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => {
            const href = runHref(row.original, lab.id);
            return (
              <tr
                key={row.id}
                data-enrollment={row.id}
                data-namespace={row.original.namespace}
                onClick={(e) => {
                  if (!href) return;
                  const checkId = (e.target as HTMLElement).closest<HTMLElement>('[data-check]')?.dataset
                    .check;
                  router.push(runHref(row.original, lab.id, checkId) ?? href);
                }}
                className={`border-b border-slate-200 ${href ? 'cursor-pointer hover:bg-slate-50' : ''} ${row.getIsSelected() ? 'bg-blue-50' : 'bg-white'} ${
                  flashing.has(row.id) ? 'kg-flash' : ''
                }`}
              >
                {row.getVisibleCells().map((cell) =>
                  cell.column.id === 'student' ? (
                    <th
                      key={cell.id}
                      scope="row"
                      className={`px-2 py-2 text-left font-normal ${stickyColumn('student', 'bg-inherit')}`}
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </th>
                  ) : (
                    <td key={cell.id} className={`px-2 py-2 ${stickyColumn(cell.column.id, 'bg-inherit')}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ),
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

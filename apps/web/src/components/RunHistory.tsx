'use client';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { formatScore } from '@/lib/format';
import type { RunSummary } from '@/lib/types';
import { StatusBadge } from './StatusBadge';
import { DataTable } from './DataTable';
import { useDateTime } from './useHydrated';

/** Past runs, newest first, each linking to its full report. */
export function RunHistory({
  runs,
  linkSuffix = '',
  highlightId,
}: {
  runs: RunSummary[];
  linkSuffix?: string;
  highlightId?: string;
}) {
  const t = useTranslations('run');
  const tt = useTranslations('trigger');
  const dateTime = useDateTime();
  if (runs.length === 0) return <p className="text-sm text-slate-600">{t('historyEmpty')}</p>;
  return (
    <DataTable
      label={t('history')}
      tableClassName="w-full border-collapse text-left text-sm [&_td]:whitespace-nowrap [&_th]:whitespace-nowrap"
    >
      <thead>
        <tr className="border-b border-slate-300">
          <th scope="col" className="py-2 pr-4 font-semibold">
            {t('queuedAt')}
          </th>
          <th scope="col" className="py-2 pr-4 font-semibold">
            {t('status')}
          </th>
          <th scope="col" className="py-2 pr-4 font-semibold">
            {t('score')}
          </th>
          <th scope="col" className="py-2 pr-4 font-semibold">
            {t('trigger')}
          </th>
          <th scope="col" className="py-2 pr-4 font-semibold">
            <span className="sr-only">{t('report')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} className={`border-b border-slate-200 ${r.id === highlightId ? 'bg-blue-50' : ''}`}>
            <td className="py-2 pr-4 tabular-nums">{dateTime(r.queuedAt)}</td>
            <td className="py-2 pr-4">
              <StatusBadge status={r.status} compact />
            </td>
            <td className="py-2 pr-4 tabular-nums">
              {r.status === 'ERROR' ? t('notCountedShort') : formatScore(r.score, r.maxScore)}
            </td>
            <td className="py-2 pr-4">
              {tt(r.trigger)}
              {!r.disruptive && <span className="ml-1 text-slate-600">({t('nonDisruptive')})</span>}
            </td>
            <td className="py-2 pr-4">
              {r.id === highlightId ? (
                <span className="text-slate-600">{t('thisRun')}</span>
              ) : (
                <Link href={`/runs/${r.id}${linkSuffix}`} className="font-medium text-blue-800 underline">
                  {t('viewReport')}
                </Link>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}

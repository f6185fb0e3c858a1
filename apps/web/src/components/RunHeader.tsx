'use client';
import { useTranslations } from 'next-intl';
import { formatScore } from '@/lib/format';
import type { GradingRun } from '@/lib/types';
import { StatusBadge } from './StatusBadge';
import { useDateTime } from './useHydrated';

/** A run's status line: verdict, score, queue position while waiting, and when it happened. */
export function RunHeader({ run }: { run: GradingRun }) {
  const t = useTranslations('run');
  const dateTime = useDateTime();
  return (
    <div className="space-y-2" data-run-status={run.status}>
      <div className="flex flex-wrap items-center gap-3">
        <StatusBadge status={run.status} />
        <span className="text-lg font-semibold tabular-nums" data-testid="run-score">
          {run.status === 'ERROR' ? t('notCountedShort') : formatScore(run.score, run.maxScore)}
        </span>
        {run.status === 'QUEUED' && (
          <span className="text-sm text-slate-700" data-testid="queue-info">
            {run.queuePosition !== null ? t('queuePosition', { position: run.queuePosition }) : t('queued')}
            {run.estimatedWaitSeconds !== null &&
              ` · ${t('estimatedWait', { seconds: run.estimatedWaitSeconds })}`}
          </span>
        )}
        {!run.disruptive && <span className="text-sm text-slate-600">{t('nonDisruptiveRun')}</span>}
      </div>
      <p className="text-sm text-slate-600">
        {t('queuedAt')}: {dateTime(run.queuedAt)}
        {run.finishedAt && ` · ${t('finishedAt')}: ${dateTime(run.finishedAt)}`}
      </p>
      {run.status === 'ERROR' && (
        <div
          role="note"
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
        >
          <p>{t('runErrored')}</p>
          {/* Technical detail from the worker, in English: shown as code. */}
          {run.errorDetail && (
            <code lang="en" className="mt-1 block font-mono text-xs">
              {run.errorDetail}
            </code>
          )}
        </div>
      )}
    </div>
  );
}

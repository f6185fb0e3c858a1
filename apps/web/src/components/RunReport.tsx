'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useEffect } from 'react';
import { pick } from '@/i18n/locales';
import type { GradingRun, RunSummary } from '@/lib/types';
import { CheckList } from './CheckList';
import { RunHeader } from './RunHeader';
import { RunHistory } from './RunHistory';
import { useLiveRun } from './useLiveRun';

/** A run's report as the server page fetched it, followed live while it is queued or running. */
export function RunReport({
  initial,
  history,
  enrollmentId,
  staff,
}: {
  initial: GradingRun;
  history: RunSummary[] | null;
  enrollmentId: string | null;
  staff: boolean;
}) {
  const t = useTranslations('run');
  const tt = useTranslations('trigger');
  const locale = useLocale();
  const run = useLiveRun(initial) ?? initial;

  // Scroll to the check a scoreboard cell pointed at, once it is rendered.
  useEffect(() => {
    if (!window.location.hash) return;
    document.getElementById(window.location.hash.slice(1))?.scrollIntoView({ block: 'center' });
  }, []);

  const suffix = enrollmentId
    ? `?${new URLSearchParams({ enrollment: enrollmentId, lab: run.lab.id }).toString()}`
    : '';

  return (
    <div className="space-y-6">
      {staff && (
        <Link
          href={`/labs/${encodeURIComponent(run.lab.id)}/scoreboard`}
          className="text-sm font-medium text-blue-800 underline"
        >
          ← {t('backToScoreboard')}
        </Link>
      )}
      <div>
        <h1 className="text-2xl font-bold">
          {run.student ? `${run.student.name} · ` : ''}
          {pick(run.lab.title, locale)}
        </h1>
        <p className="mt-1 text-sm text-slate-600">
          {t('namespace')}: <code className="font-mono">{run.namespace}</code> · {t('trigger')}:{' '}
          {tt(run.trigger)}
          {run.labVersion && ` · ${t('labVersion')} ${run.labVersion}`}
          {run.graderVersion && ` · ${t('grader')} ${run.graderVersion}`}
        </p>
      </div>
      <RunHeader run={run} />
      <section aria-labelledby="checks-heading" className="space-y-3">
        <h2 id="checks-heading" className="text-lg font-semibold">
          {t('checks')}
        </h2>
        <CheckList run={run} evidenceOpen />
      </section>
      <section
        aria-labelledby="history-heading"
        className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="history-heading" className="text-lg font-semibold">
          {t('history')}
        </h2>
        {history ? (
          <RunHistory runs={history} highlightId={run.id} linkSuffix={suffix} />
        ) : (
          <p className="text-sm text-slate-600">{t('historyUnavailable')}</p>
        )}
      </section>
    </div>
  );
}

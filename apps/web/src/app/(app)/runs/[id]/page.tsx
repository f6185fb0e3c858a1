'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useParams, useSearchParams } from 'next/navigation';
import { Suspense, useEffect } from 'react';
import { useQuery } from 'urql';
import { useMe } from '@/components/AppShell';
import { CheckList } from '@/components/CheckList';
import { ErrorNote, Loading } from '@/components/Feedback';
import { RunHeader } from '@/components/RunHeader';
import { RunHistory } from '@/components/RunHistory';
import { useLiveRun } from '@/components/useLiveRun';
import { pick } from '@/i18n/locales';
import { RUN, RUNS } from '@/lib/queries';
import type { GradingRun, RunSummary } from '@/lib/types';

function RunView({ id }: { id: string }) {
  const t = useTranslations('run');
  const tt = useTranslations('trigger');
  const locale = useLocale();
  const me = useMe();
  const params = useSearchParams();
  const enrollmentId = params.get('enrollment');
  const [{ data, error }, refetch] = useQuery<{ run: GradingRun | null }>({ query: RUN, variables: { id } });
  const run = useLiveRun(data?.run ?? null);
  const labId = run?.lab.id ?? params.get('lab');
  const [history] = useQuery<{ runs: { nodes: RunSummary[]; total: number } }>({
    query: RUNS,
    variables: { labId, enrollmentId, first: 20 },
    pause: !labId || (me.role !== 'STUDENT' && !enrollmentId),
  });

  // Scroll to the check a scoreboard cell pointed at, once it is rendered.
  const loaded = Boolean(run);
  useEffect(() => {
    if (!loaded || !window.location.hash) return;
    document.getElementById(window.location.hash.slice(1))?.scrollIntoView({ block: 'center' });
  }, [loaded]);

  if (error && !data)
    return <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!data) return <Loading />;
  if (!run) return <p className="text-slate-700">{t('notFound')}</p>;
  const suffix = enrollmentId
    ? `?${new URLSearchParams({ enrollment: enrollmentId, lab: run.lab.id }).toString()}`
    : '';

  return (
    <div className="space-y-6">
      {me.role !== 'STUDENT' && (
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
          {run.graderVersion && ` · ${t('grader')} ${run.graderVersion}`}
        </p>
      </div>
      <RunHeader run={run} />
      <section aria-labelledby="checks-heading" className="space-y-3">
        <h2 id="checks-heading" className="text-lg font-semibold">
          {t('checks')}
        </h2>
        <CheckList checks={run.checks} evidenceOpen />
      </section>
      <section
        aria-labelledby="history-heading"
        className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="history-heading" className="text-lg font-semibold">
          {t('history')}
        </h2>
        {history.data ? (
          <RunHistory runs={history.data.runs.nodes} highlightId={run.id} linkSuffix={suffix} />
        ) : history.fetching ? (
          <Loading />
        ) : (
          <p className="text-sm text-slate-600">{t('historyUnavailable')}</p>
        )}
      </section>
    </div>
  );
}

/** One run's full report: every check with its evidence, and the student's run history. */
export default function RunPage() {
  const params = useParams<{ id: string }>();
  return (
    <Suspense>
      <RunView id={params.id} />
    </Suspense>
  );
}

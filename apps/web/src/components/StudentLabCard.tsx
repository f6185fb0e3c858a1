'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { useClient, useMutation, useQuery, type CombinedError } from 'urql';
import { pick } from '@/i18n/locales';
import { formatCountdown, formatScore } from '@/lib/format';
import { RUNS, SUBMIT_RUN } from '@/lib/queries';
import { runToFollow } from '@/lib/runs';
import { isActive, type Cooldown, type GradingRun, type MyLab, type RunSummary } from '@/lib/types';
import { CheckList } from './CheckList';
import { DeadlineNote } from './DeadlineNote';
import { errorMessage } from './Feedback';
import { buttonClass } from './forms/fields';
import { RunHeader } from './RunHeader';
import { RunHistory } from './RunHistory';
import { Spinner } from './StatusBadge';
import { fetchRun, useLiveRun } from './useLiveRun';
import { useHydrated } from './useHydrated';
import { useNow } from './useNow';

/** The api refuses a submission during the cooldown with extensions { code, retryAfterSeconds }. */
function cooldownFromError(error: CombinedError): number | null {
  for (const e of error.graphQLErrors) {
    const ext = e.extensions as { code?: unknown; retryAfterSeconds?: unknown };
    if (typeof ext.retryAfterSeconds === 'number') return ext.retryAfterSeconds;
    if (ext.code === 'COOLDOWN') return 1;
  }
  return null;
}

/** One lab for a student: score, Grade button with cooldown and queue info, live checks, history. */
export function StudentLabCard({ item, onFinished }: { item: MyLab; onFinished: () => void }) {
  const t = useTranslations('labs');
  const tl = useTranslations('ledger');
  const locale = useLocale();
  // A click before hydration would do nothing; the button waits for the page to be interactive.
  const hydrated = useHydrated();
  const [latest, setLatest] = useState<GradingRun | null>(item.latestRun);
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [submitState, submit] = useMutation<{
    submitRun: { run: GradingRun; joined: boolean; cooldown: Cooldown };
  }>(SUBMIT_RUN);
  const [history, refetchHistory] = useQuery<{ runs: { nodes: RunSummary[]; total: number } }>({
    query: RUNS,
    variables: { labId: item.lab.id, enrollmentId: item.enrollment.id, first: 10 },
  });

  const applyCooldown = useCallback((cooldown: Cooldown) => {
    setRetryAt(cooldown.retryAfterSeconds > 0 ? Date.now() + cooldown.retryAfterSeconds * 1000 : null);
  }, []);

  // useLiveRun keeps whichever of the refetched and the live run is newer.
  useEffect(() => {
    if (item.latestRun) setLatest(item.latestRun);
  }, [item.latestRun]);
  useEffect(() => applyCooldown(item.cooldown), [item.cooldown, applyCooldown]);

  const run = useLiveRun(latest);
  const active = isActive(run);

  // The history can know of a newer run than the card: one queued elsewhere (another tab, a regrade)
  // or one whose submit answer this card did not keep (once seen in e2e, cause not proven: most
  // likely a remount by a refresh rendered before the submit). The card then fetches and follows it.
  const client = useClient();
  const follow = runToFollow(run, history.data?.runs.nodes[0]);
  useEffect(() => {
    if (!follow) return;
    let current = true;
    void fetchRun(client, follow).then((found) => {
      if (current && found) setLatest(found);
    });
    return () => {
      current = false;
    };
  }, [follow, client]);
  const now = useNow(retryAt !== null);
  const secondsLeft = retryAt === null ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000));
  const coolingDown = secondsLeft > 0;

  // When a run we were watching finishes, refresh the score, cooldown and history.
  const [watched, setWatched] = useState<string | null>(null);
  useEffect(() => {
    if (run && active) setWatched(run.id);
    else if (run && watched === run.id) {
      setWatched(null);
      refetchHistory({ requestPolicy: 'network-only' });
      onFinished();
    }
  }, [run, active, watched, refetchHistory, onFinished]);

  async function grade() {
    setError(null);
    setNotice(null);
    const res = await submit({ labId: item.lab.id });
    if (res.error) {
      const wait = cooldownFromError(res.error);
      if (wait !== null) {
        setRetryAt(Date.now() + wait * 1000);
        setNotice(t('cooldownNotice', { seconds: wait }));
      } else setError(errorMessage(res.error));
      return;
    }
    if (!res.data) return;
    const { run: submitted, joined, cooldown } = res.data.submitRun;
    setLatest(submitted);
    applyCooldown(cooldown);
    if (joined) setNotice(t('joined'));
    refetchHistory({ requestPolicy: 'network-only' });
  }

  const title = pick(item.lab.title, locale);
  const headingId = `lab-${item.lab.id}`;
  return (
    <section
      aria-labelledby={headingId}
      className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
      data-lab={item.lab.id}
    >
      <div className="flex flex-wrap items-start gap-4">
        <div className="flex-1">
          <h2 id={headingId} className="text-xl font-bold">
            {title}
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            {t('namespace')}:{' '}
            <code className="rounded bg-slate-100 px-1 font-mono">{item.enrollment.namespace}</code> ·{' '}
            <span translate="no">{item.enrollment.course.name}</span>
          </p>
          <Link
            href={`/labs/${encodeURIComponent(item.lab.id)}/ledger`}
            className="mt-1 inline-block text-sm font-medium text-blue-800 underline"
          >
            {tl('open')}
          </Link>
          <DeadlineNote labId={item.lab.id} />
        </div>
        <dl className="grid grid-cols-2 gap-x-6 text-sm">
          <dt className="text-slate-600">{t('currentScore')}</dt>
          <dt className="text-slate-600">{t('bestScore')}</dt>
          <dd className="text-2xl font-bold tabular-nums" data-testid="current-score">
            {formatScore(
              run && !active && run.status !== 'ERROR' ? run.score : (item.latestRun?.score ?? null),
              item.lab.maxScore,
            )}
          </dd>
          <dd className="text-2xl font-bold tabular-nums text-slate-700">
            {formatScore(item.bestScore, item.lab.maxScore)}
          </dd>
        </dl>
      </div>

      <div className="mt-4 flex flex-wrap items-center gap-3">
        <button
          type="button"
          onClick={grade}
          disabled={!hydrated || active || coolingDown || submitState.fetching}
          className={buttonClass.primary}
          data-testid="grade-button"
        >
          {active || submitState.fetching ? (
            <>
              <Spinner /> {t('grading')}
            </>
          ) : coolingDown ? (
            t('gradeAgainIn', { time: formatCountdown(secondsLeft) })
          ) : (
            t('grade')
          )}
        </button>
        {coolingDown && (
          <span className="text-sm text-slate-700" data-testid="cooldown">
            {t('cooldownExplain', { time: formatCountdown(secondsLeft) })}
          </span>
        )}
        <p aria-live="polite" className="text-sm text-slate-700">
          {notice}
        </p>
      </div>
      {error && (
        <p role="alert" className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-900">
          {error}
        </p>
      )}

      {run ? (
        <div className="mt-5 space-y-4">
          <h3 className="sr-only">{t('latestRun')}</h3>
          <RunHeader run={run} />
          <CheckList run={run} />
        </div>
      ) : (
        <p className="mt-5 text-slate-600">{t('notGradedYet')}</p>
      )}

      <details className="mt-5">
        <summary className="cursor-pointer font-medium text-blue-800 hover:underline">
          {t('history')} {history.data ? `(${history.data.runs.total})` : ''}
        </summary>
        <div className="mt-3">
          <RunHistory runs={history.data?.runs.nodes ?? []} highlightId={run?.id} />
        </div>
      </details>
    </section>
  );
}

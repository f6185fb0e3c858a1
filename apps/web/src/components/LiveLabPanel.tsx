'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import { pick } from '@/i18n/locales';
import { changedChecks, LIVE_LAB, shownStatus, type LiveCheckStatus, type LiveLabState } from '@/lib/live';
import { MessageText } from './CheckList';
import { useNow } from './useNow';

// Icon + word + colour for each live status: never colour alone.
const STYLE: Record<LiveCheckStatus | 'PAUSED', { icon: string; cls: string }> = {
  PASS: { icon: '✓', cls: 'bg-green-100 text-green-900 ring-green-700/30' },
  FAIL: { icon: '✗', cls: 'bg-red-100 text-red-900 ring-red-700/30' },
  ERROR: { icon: '⚠', cls: 'bg-amber-100 text-amber-900 ring-amber-700/30' },
  SKIPPED: { icon: '↷', cls: 'bg-slate-100 text-slate-700 ring-slate-500/30' },
  PENDING: { icon: '○', cls: 'bg-white text-slate-700 ring-slate-400/40' },
  GRADE_ONLY: { icon: '◇', cls: 'bg-white text-slate-700 ring-slate-400/40' },
  PAUSED: { icon: '‖', cls: 'bg-slate-100 text-slate-700 ring-slate-500/30' },
};

function Badge({ status }: { status: LiveCheckStatus | 'PAUSED' }) {
  const t = useTranslations('live.check');
  const s = STYLE[status];
  return (
    <span
      className={`inline-flex shrink-0 items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${s.cls}`}
    >
      <span aria-hidden="true">{s.icon}</span>
      <span>{t(status)}</span>
    </span>
  );
}

/**
 * The live lab for one of the student's labs: its non-disruptive checks as the worker re-evaluates
 * them on every change in the namespace (never scored), the namespace's recent Events, and a
 * paused state whenever the live engine cannot vouch for what it shows. Renders nothing while the
 * instructor has not turned the live lab on.
 */
export function LiveLabPanel({ labId }: { labId: string }) {
  const t = useTranslations('live');
  const locale = useLocale();
  const [sub] = useSubscription<{ liveLab: LiveLabState }>({ query: LIVE_LAB, variables: { labId } });
  const state = sub.data?.liveLab ?? null;
  const now = useNow(state?.status === 'LIVE');
  const status = state ? shownStatus(state, now) : null;
  const [announcement, setAnnouncement] = useState('');
  const previous = useRef<Map<string, LiveCheckStatus> | null>(null);
  const previousStatus = useRef<string | null>(null);

  // The live region says what changed: a check that flipped, or the view pausing / resuming.
  useEffect(() => {
    if (!state || !status) return;
    const lines: string[] = [];
    if (previousStatus.current && previousStatus.current !== status) {
      if (status === 'PAUSED') lines.push(t('announcePaused'));
      if (status === 'LIVE' && previousStatus.current === 'PAUSED') lines.push(t('announceResumed'));
    }
    if (status === 'LIVE') {
      for (const c of changedChecks(previous.current, state.checks)) {
        lines.push(t('announce', { check: pick(c.title, locale), status: t(`check.${c.status}`) }));
      }
      previous.current = new Map(state.checks.map((c) => [c.checkId, c.status]));
    }
    previousStatus.current = status;
    if (lines.length > 0) setAnnouncement(lines.join(' '));
  }, [state, status, t, locale]);

  if (!state || status === 'OFF') return null;
  const paused = status === 'PAUSED';
  return (
    <section
      aria-labelledby={`live-${labId}`}
      data-live-lab={labId}
      data-live-status={status}
      className="rounded-lg border border-sky-200 bg-sky-50/40 p-4 sm:p-5"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={`live-${labId}`} className="text-lg font-bold">
          {t('title')}
        </h3>
        <span className="inline-flex items-center gap-1.5 text-sm font-medium">
          <span
            aria-hidden="true"
            className={`inline-block h-2.5 w-2.5 rounded-full ${status === 'LIVE' ? 'bg-green-600' : paused ? 'bg-slate-500' : 'bg-sky-500'}`}
          />
          {t(`status.${status}`)}
        </span>
      </div>
      <p className="mt-1 text-sm text-slate-700">{t('intro')}</p>
      <p aria-live="polite" aria-atomic="true" className="sr-only" data-live-announcement>
        {announcement}
      </p>
      {paused && (
        <p className="mt-3 rounded-md bg-amber-50 p-3 text-sm text-amber-950" data-live-paused>
          {t('paused')}
        </p>
      )}
      {status === 'STARTING' && <p className="mt-3 text-sm text-slate-700">{t('starting')}</p>}
      {state.checks.length > 0 && (
        <ul
          aria-label={t('checksLabel')}
          className="mt-3 divide-y divide-slate-200 rounded-md border border-slate-200 bg-white"
        >
          {state.checks.map((c) => {
            const shown: LiveCheckStatus | 'PAUSED' = paused ? 'PAUSED' : c.status;
            return (
              <li
                key={c.checkId}
                data-live-check={c.checkId}
                data-status={shown}
                className="flex flex-col gap-1 p-3 sm:flex-row sm:items-start sm:gap-3"
              >
                <Badge status={shown} />
                <div className={`min-w-0 flex-1 ${paused ? 'text-slate-500' : ''}`}>
                  <p className="font-medium">{pick(c.title, locale)}</p>
                  {!paused && (
                    <p className="break-words text-sm text-slate-700">
                      <MessageText text={pick(c.messageText, locale)} />
                    </p>
                  )}
                  {!paused && c.status === 'FAIL' && c.hint && (
                    <p className="mt-1 break-words text-sm text-slate-800">
                      <span className="font-semibold">{t('hint')}</span> {pick(c.hint, locale)}
                    </p>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {!paused && state.events.length > 0 && (
        <details className="mt-3">
          <summary className="cursor-pointer text-sm font-semibold text-blue-900">
            {t('events', { count: state.events.length })}
          </summary>
          <ul className="mt-2 space-y-1 text-sm">
            {state.events.map((e, i) => (
              <li key={`${e.at}-${i}`} className="break-words">
                <span className={e.type === 'Warning' ? 'font-semibold text-amber-900' : 'text-slate-700'}>
                  {t(e.type === 'Warning' ? 'eventWarning' : 'eventNormal')}
                </span>{' '}
                <code lang="en" className="font-mono text-xs">
                  {e.object} {e.reason}: {e.message}
                  {e.count > 1 ? ` (×${e.count})` : ''}
                </code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

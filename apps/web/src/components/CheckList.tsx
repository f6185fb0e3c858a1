'use client';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useLocale, useTranslations } from 'next-intl';
import { pick } from '@/i18n/locales';
import { trim } from '@/lib/format';
import type { CheckResult } from '@/lib/types';
import { EvidenceTable } from './EvidenceTable';
import { StatusBadge } from './StatusBadge';

// Shown for ERROR in both languages on purpose: it is the one message nobody may misread.
const NOT_COUNTED = {
  en: 'The grader could not check this; it does not count against you.',
  zh: '评分程序无法检查此项；这不会计入你的成绩。',
};

/** A message with its `code` spans (commands, names the grader quotes) set as code. */
export function MessageText({ text }: { text: string }): ReactNode {
  const parts = text.split(/(`[^`]+`)/g);
  return parts.map((part, i) =>
    part.startsWith('`') && part.endsWith('`') && part.length > 1 ? (
      <code key={i} lang="en" className="rounded bg-slate-100 px-1 font-mono text-[0.85em]">
        {part.slice(1, -1)}
      </code>
    ) : (
      part
    ),
  );
}

/** What was found, in the reader's language (older results carry English only). */
export function checkMessage(check: Pick<CheckResult, 'message' | 'messageText'>, locale: string): string {
  return check.messageText ? pick(check.messageText, locale) : (check.message ?? '');
}

/** One check's live state: status, points, message, hint, and (when it failed) its evidence. */
function CheckItem({ check, evidenceOpen }: { check: CheckResult; evidenceOpen: boolean }) {
  const t = useTranslations('run');
  const locale = useLocale();
  const settled = check.status !== 'PENDING' && check.status !== 'RUNNING';
  const title = pick(check.title, locale);
  const message = checkMessage(check, locale);
  return (
    <li
      id={`check-${check.checkId}`}
      data-check={check.checkId}
      data-status={check.status}
      className="rounded-md border border-slate-200 bg-white p-4"
    >
      {/* Phones: badge and points on one line, the title on a line of its own below them. */}
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <StatusBadge status={check.status} />
        <h4 className="order-last w-full break-words font-semibold sm:order-none sm:w-auto sm:min-w-0 sm:flex-1">
          {title}
        </h4>
        <span className="ml-auto text-sm tabular-nums text-slate-700 sm:ml-0">
          {settled
            ? t('points', { points: trim(check.points), max: trim(check.maxPoints) })
            : t('pointsMax', { max: trim(check.maxPoints) })}
        </span>
      </div>
      {message && (
        <p
          className="mt-2 break-words text-sm text-slate-800"
          lang={check.messageText ? locale : 'en'}
          data-testid="check-message"
        >
          <MessageText text={message} />
        </p>
      )}
      {check.status === 'ERROR' && (
        <div
          className="mt-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
          data-testid="not-counted"
        >
          <p lang="en">{NOT_COUNTED.en}</p>
          <p lang="zh-CN">{NOT_COUNTED.zh}</p>
        </div>
      )}
      {check.hint && check.status !== 'PASS' && (
        <p className="mt-2 rounded-md bg-blue-50 p-3 text-sm text-blue-950" data-testid="hint">
          <span className="font-semibold">{t('hint')}: </span>
          <span lang={locale}>{pick(check.hint, locale)}</span>
        </p>
      )}
      {settled && check.evidence !== null && check.evidence !== undefined && (
        <details className="mt-3 group" open={evidenceOpen && check.status === 'FAIL'}>
          <summary className="cursor-pointer text-sm font-medium text-blue-800 hover:underline">
            {check.status === 'FAIL' ? t('showWhyFailed') : t('showEvidence')}
          </summary>
          <div className="mt-2">
            <EvidenceTable evidence={check.evidence} caption={t('evidenceFor', { check: title })} />
          </div>
        </details>
      )}
    </li>
  );
}

const SETTLED = new Set(['PASS', 'FAIL', 'ERROR', 'SKIPPED']);

/**
 * Says each check's verdict to screen readers as it arrives (a polite live region), once per run:
 * a run first seen queued or running has every verdict said as the page learns it (also those that
 * arrive together, when the run was quicker than the page); opening a finished run reads nothing out.
 */
function CheckAnnouncer({
  checks,
  runId,
  active,
}: {
  checks: CheckResult[];
  runId: string;
  active: boolean;
}) {
  const t = useTranslations('evidence');
  const ts = useTranslations('status');
  const locale = useLocale();
  // Per run: the checks already said, or null for a run that had finished when the page saw it.
  const runs = useRef(new Map<string, Set<string> | null>());
  const [said, setSaid] = useState<string[]>([]);
  useEffect(() => {
    if (!runs.current.has(runId)) runs.current.set(runId, active ? new Set() : null);
    const done = runs.current.get(runId);
    if (!done) return;
    const fresh: string[] = [];
    for (const c of checks) {
      if (!SETTLED.has(c.status) || done.has(c.checkId)) continue;
      done.add(c.checkId);
      const message = checkMessage(c, locale).replace(/`/g, '');
      const args = { check: pick(c.title, locale), status: ts(c.status) };
      fresh.push(message ? t('announce', { ...args, message }) : t('announceNoMessage', args));
    }
    if (fresh.length > 0) setSaid((s) => [...s, ...fresh].slice(-5));
  }, [checks, runId, active, locale, t, ts]);
  return (
    <div className="sr-only" aria-live="polite" aria-atomic="false" data-testid="check-announcer">
      {said.map((s, i) => (
        <p key={`${i}-${s}`}>{s}</p>
      ))}
    </div>
  );
}

/** Every check of a run, in the lab's order, with their verdicts announced as they arrive. */
export function CheckList({
  run,
  evidenceOpen = false,
}: {
  run: { id: string; status: string; checks: CheckResult[] };
  evidenceOpen?: boolean;
}) {
  const checks = run.checks;
  return (
    <>
      <CheckAnnouncer
        checks={checks}
        runId={run.id}
        active={run.status === 'QUEUED' || run.status === 'RUNNING'}
      />
      <ol className="space-y-3">
        {checks.map((c) => (
          <CheckItem key={c.checkId} check={c} evidenceOpen={evidenceOpen} />
        ))}
      </ol>
    </>
  );
}

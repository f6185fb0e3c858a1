'use client';
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

/** One check's live state: status, points, message, hint, and (when it failed) its evidence. */
function CheckItem({ check, evidenceOpen }: { check: CheckResult; evidenceOpen: boolean }) {
  const t = useTranslations('run');
  const locale = useLocale();
  const settled = check.status !== 'PENDING' && check.status !== 'RUNNING';
  const title = pick(check.title, locale);
  return (
    <li
      id={`check-${check.checkId}`}
      data-check={check.checkId}
      data-status={check.status}
      className="rounded-md border border-slate-200 bg-white p-4"
    >
      <div className="flex flex-wrap items-center gap-3">
        <StatusBadge status={check.status} />
        <h4 className="flex-1 font-semibold">{title}</h4>
        <span className="text-sm tabular-nums text-slate-700">
          {settled
            ? t('points', { points: trim(check.points), max: trim(check.maxPoints) })
            : t('pointsMax', { max: trim(check.maxPoints) })}
        </span>
      </div>
      {check.message && <p className="mt-2 text-sm text-slate-800">{check.message}</p>}
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

/** Every check of a run, in the lab's order. */
export function CheckList({
  checks,
  evidenceOpen = false,
}: {
  checks: CheckResult[];
  evidenceOpen?: boolean;
}) {
  return (
    <ol className="space-y-3">
      {checks.map((c) => (
        <CheckItem key={c.checkId} check={c} evidenceOpen={evidenceOpen} />
      ))}
    </ol>
  );
}

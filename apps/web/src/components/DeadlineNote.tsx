'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useQuery } from 'urql';
import { formatDateTime } from '@/lib/format';
import { DEADLINE_NOTE } from '@/lib/queries';
import type { DeadlineNoteQuery } from '@/lib/graphql.generated';

type NoteData = DeadlineNoteQuery;

/** When a run counts: the student's due date (in their zone, the course's stated) and, once the lab has closed for them, that new runs are practice. */
export function DeadlineNote({ labId }: { labId: string }) {
  const t = useTranslations('ledger');
  const locale = useLocale();
  const [{ data }] = useQuery<NoteData>({ query: DEADLINE_NOTE, variables: { labId } });
  const l = data?.scoreLedger;
  if (!l) return null;
  const s = l.schedule;
  // The close, as the ledger computes it: closesAt (moved to a later extension), else the due date without late steps.
  const closes = s.closesAt
    ? new Date(Math.max(Date.parse(s.closesAt), l.extension ? Date.parse(l.extension.dueAt) : 0))
    : s.latePenaltyPercent == null && l.effectiveDueAt
      ? new Date(l.effectiveDueAt)
      : null;
  const now = Date.now();
  const notOpen = s.opensAt != null && Date.parse(s.opensAt) > now;
  const closed = closes != null && closes.getTime() < now;
  if (!l.effectiveDueAt && !notOpen && !closed) return null;
  return (
    <div className="mt-2 text-sm" data-testid="deadline-note">
      {l.effectiveDueAt && (
        <p className="text-slate-700">
          {t('dueLine', { when: formatDateTime(l.effectiveDueAt, locale), zone: l.courseTimeZone })}
          {l.extension && ` · ${t('extended')}`}
        </p>
      )}
      {(closed || notOpen) && (
        <p
          role="note"
          className="mt-1 rounded bg-amber-50 px-2 py-1 font-medium text-amber-900"
          data-testid="practice-note"
        >
          {closed ? t('closedPractice') : t('notOpenPractice')}
        </p>
      )}
    </div>
  );
}

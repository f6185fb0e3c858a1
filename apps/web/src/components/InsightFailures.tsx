'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useState } from 'react';
import { pick } from '@/i18n/locales';
import type { ClassInsightQuery } from '@/lib/graphql.generated';
import { DataTable } from './DataTable';

type Failure = ClassInsightQuery['classInsight']['failures'][number];

const th = 'px-3 py-1.5';

/** What the class gets wrong, by check and hint; each count opens into the students behind it. */
export function InsightFailures({ labId, failures }: { labId: string; failures: Failure[] }) {
  const t = useTranslations('insight');
  const locale = useLocale();
  // Which row is open stays here: a live refresh of the page keeps it open.
  const [open, setOpen] = useState<string | null>(null);
  if (failures.length === 0) return <p className="text-slate-700">{t('noFailures')}</p>;
  return (
    <DataTable label={t('failures')} testId="failures">
      <thead className="bg-slate-100">
        <tr>
          <th scope="col" className={th}>
            {t('check')}
          </th>
          <th scope="col" className={th}>
            {t('hint')}
          </th>
          <th scope="col" className={`${th} text-right`}>
            {t('students')}
          </th>
        </tr>
      </thead>
      <tbody>
        {failures.map((f) => {
          const key = `${f.checkId}:${f.hintKey ?? ''}`;
          return (
            <tr
              key={key}
              className="border-t border-slate-200 align-top"
              data-check={f.checkId}
              data-hint={f.hintKey ?? ''}
            >
              <th scope="row" className={`${th} font-normal`}>
                {pick(f.title, locale)}
              </th>
              <td className={th}>
                <code className="font-mono">{f.hintKey ?? t('noHint')}</code>
                {open === key && (
                  <ul className="mt-2 space-y-0.5" data-testid="failure-students">
                    {f.students.map((s) => (
                      <li key={s.enrollmentId}>
                        <Link
                          href={`/labs/${encodeURIComponent(labId)}/ledger?enrollment=${encodeURIComponent(s.enrollmentId)}`}
                          className="text-blue-800 underline"
                        >
                          {s.name}
                        </Link>{' '}
                        <code className="font-mono text-slate-600">{s.namespace}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td className={`${th} text-right`}>
                <button
                  type="button"
                  aria-expanded={open === key}
                  onClick={() => setOpen(open === key ? null : key)}
                  className="font-semibold tabular-nums text-blue-800 underline"
                  data-testid="failure-count"
                >
                  {t('showStudents', { count: f.count })}
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </DataTable>
  );
}

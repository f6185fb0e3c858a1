'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useCallback } from 'react';
import { useQuery } from 'urql';
import { useMe } from '@/components/AppShell';
import { ErrorNote, Loading } from '@/components/Feedback';
import { StudentLabCard } from '@/components/StudentLabCard';
import { pick } from '@/i18n/locales';
import { LABS, MY_LABS } from '@/lib/queries';
import type { Lab, MyLab } from '@/lib/types';

function StudentLabs() {
  const t = useTranslations('labs');
  const [{ data, error, fetching }, refetch] = useQuery<{ myLabs: MyLab[] }>({ query: MY_LABS });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  if (error && !data) return <ErrorNote error={error} onRetry={refresh} />;
  if (!data) return <Loading />;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <p className="text-slate-700">{t('intro')}</p>
      {data.myLabs.length === 0 && !fetching && <p className="text-slate-600">{t('none')}</p>}
      {data.myLabs.map((item) => (
        <StudentLabCard key={item.lab.id} item={item} onFinished={refresh} />
      ))}
    </div>
  );
}

function InstructorLabs() {
  const t = useTranslations('labsIndex');
  const locale = useLocale();
  const [{ data, error }, refetch] = useQuery<{ labs: Lab[] }>({ query: LABS });
  if (error && !data)
    return <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!data) return <Loading />;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {data.labs.map((lab) => (
          <li key={lab.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h2 className="text-lg font-bold">{pick(lab.title, locale)}</h2>
            <p className="mt-1 text-sm text-slate-600">
              <code className="font-mono">{lab.id}</code> · v{lab.version} ·{' '}
              {t('checks', { count: lab.checks.length })} · {t('maxScore', { max: lab.maxScore })}
            </p>
            {!lab.enabled && <p className="mt-1 text-sm font-medium text-amber-800">{t('disabled')}</p>}
            <Link
              href={`/labs/${encodeURIComponent(lab.id)}/scoreboard`}
              className="mt-3 inline-block font-semibold text-blue-800 underline"
            >
              {t('openScoreboard')}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Students see their labs and grade them; instructors and admins get the list of scoreboards. */
export default function LabsPage() {
  const me = useMe();
  return me.role === 'STUDENT' ? <StudentLabs /> : <InstructorLabs />;
}

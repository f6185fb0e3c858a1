import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { ServerErrorNote } from '@/components/Feedback';
import { StudentLabs } from '@/components/StudentLabs';
import { pick } from '@/i18n/locales';
import type { LabsQuery, MyLabsQuery } from '@/lib/graphql.generated';
import { LABS, MY_LABS } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';
import { requireMe } from '@/lib/session';
import type { Lab } from '@/lib/types';

async function InstructorLabs({ labs }: { labs: Lab[] }) {
  const t = await getTranslations('labsIndex');
  const tl = await getTranslations('ledger');
  const ti = await getTranslations('insight');
  const locale = await getLocale();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {labs.map((lab) => (
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
            <Link
              href={`/labs/${encodeURIComponent(lab.id)}/settings`}
              className="ml-4 mt-3 inline-block font-semibold text-blue-800 underline"
            >
              {tl('settingsLink')}
            </Link>
            <Link
              href={`/labs/${encodeURIComponent(lab.id)}/insight`}
              className="ml-4 mt-3 inline-block font-semibold text-blue-800 underline"
            >
              {ti('open')}
            </Link>
          </li>
        ))}
      </ul>
      <GradebookExports />
    </div>
  );
}

/** Downloads of every lab's counted scores in the formats Canvas and Moodle import. */
async function GradebookExports() {
  const t = await getTranslations('gradebook');
  return (
    <section aria-labelledby="gradebook-heading" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="gradebook-heading" className="text-lg font-bold">
        {t('title')}
      </h2>
      <p className="mt-1 text-sm text-slate-700">{t('intro')}</p>
      <p className="mt-3 flex flex-wrap gap-4">
        <a href="/export/gradebook/canvas.csv" className="font-semibold text-blue-800 underline" download>
          {t('canvas')}
        </a>
        <a href="/export/gradebook/moodle.csv" className="font-semibold text-blue-800 underline" download>
          {t('moodle')}
        </a>
      </p>
    </section>
  );
}

/** Students see their labs and grade them; instructors and admins get the list of scoreboards. */
export default async function LabsPage() {
  const me = await requireMe();
  if (me.role === 'STUDENT') {
    const result = await serverQuery<MyLabsQuery>(MY_LABS);
    if (result.error !== null) return <ServerErrorNote message={result.error} />;
    return <StudentLabs labs={result.data.myLabs} />;
  }
  const result = await serverQuery<LabsQuery>(LABS);
  if (result.error !== null) return <ServerErrorNote message={result.error} />;
  return <InstructorLabs labs={result.data.labs} />;
}

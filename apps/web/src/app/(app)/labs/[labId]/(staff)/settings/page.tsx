import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { ServerErrorNote } from '@/components/Feedback';
import { LabExtensions } from '@/components/LabExtensions';
import { LabScheduleForm } from '@/components/LabScheduleForm';
import { LabTimeZoneNote } from '@/components/LabTimeZoneNote';
import { pick } from '@/i18n/locales';
import type { LabSettingsQuery, StudentPickerQuery } from '@/lib/graphql.generated';
import { LAB_SETTINGS, STUDENT_PICKER } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';

/** Instructors and admins: a lab's dates, late rule, score policy and per-student extensions. */
export default async function LabSettingsPage({ params }: { params: Promise<{ labId: string }> }) {
  const labId = decodeURIComponent((await params).labId);
  const [settings, picker, t, locale] = await Promise.all([
    serverQuery<LabSettingsQuery>(LAB_SETTINGS, { labId }),
    serverQuery<StudentPickerQuery>(STUDENT_PICKER),
    getTranslations('labSettings'),
    getLocale(),
  ]);
  if (settings.error !== null) return <ServerErrorNote message={settings.error} />;
  const { lab, labExtensions, courses } = settings.data;
  if (!lab) return <p className="text-slate-700">{t('notFound')}</p>;
  // The picker is a convenience: without it the form offers no student, as before.
  const students = (picker.data?.enrollments ?? []).filter((e) => e.user.role === 'STUDENT');
  const base = `/labs/${encodeURIComponent(labId)}`;
  const links = [
    ['scoreboard', 'scoreboardLink'],
    ['ledger', 'ledgerLink'],
    ['regrade', 'regradeLink'],
    ['insight', 'insightLink'],
  ] as const;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">{t('title', { lab: pick(lab.title, locale) })}</h1>
        <LabTimeZoneNote courseTimeZone={courses[0]?.timeZone ?? 'UTC'} />
        <p className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {links.map(([path, label]) => (
            <Link key={path} href={`${base}/${path}`} className="font-medium text-blue-800 underline">
              {t(label)}
            </Link>
          ))}
        </p>
      </div>
      <section aria-labelledby="schedule" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="schedule" className="mb-3 text-lg font-semibold">
          {t('schedule')}
        </h2>
        <LabScheduleForm labId={labId} schedule={lab.schedule} />
      </section>
      <section aria-labelledby="extensions" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="extensions" className="mb-3 text-lg font-semibold">
          {t('extensions')}
        </h2>
        <LabExtensions labId={labId} extensions={labExtensions} students={students} />
      </section>
    </div>
  );
}

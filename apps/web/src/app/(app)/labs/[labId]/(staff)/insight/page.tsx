import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { DataTable } from '@/components/DataTable';
import { ServerErrorNote } from '@/components/Feedback';
import { InsightByDayChart } from '@/components/InsightByDayChart';
import { InsightFailures } from '@/components/InsightFailures';
import { InsightLive } from '@/components/InsightLive';
import { InsightStuckRuns } from '@/components/InsightStuckRuns';
import { LocalDateTime } from '@/components/LocalDateTime';
import { pick } from '@/i18n/locales';
import { trim } from '@/lib/format';
import type { ClassInsightQuery } from '@/lib/graphql.generated';
import { parseStuckRuns } from '@/lib/insight';
import { CLASS_INSIGHT } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';

/** "1 h 5 min", "3 min", "40 s". */
function duration(seconds: number | null, t: (k: string, v?: Record<string, number>) => string): string {
  if (seconds == null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return t('seconds', { n: s });
  const m = Math.round(s / 60);
  if (m < 60) return t('minutes', { n: m });
  return t('hours', { h: Math.floor(m / 60), m: m % 60 });
}

const th = 'px-3 py-1.5';

/**
 * Instructors and admins: what the class gets wrong in a lab, live as runs finish (`InsightLive`
 * renders this page again). The stuck threshold is the URL's (`?stuckRuns=`).
 */
export default async function InsightPage({
  params,
  searchParams,
}: {
  params: Promise<{ labId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const labId = decodeURIComponent((await params).labId);
  const stuckRuns = parseStuckRuns((await searchParams).stuckRuns);
  const [result, t, locale] = await Promise.all([
    serverQuery<ClassInsightQuery>(CLASS_INSIGHT, { labId, stuckRuns }),
    getTranslations('insight'),
    getLocale(),
  ]);
  if (result.error !== null) return <ServerErrorNote message={result.error} />;
  const x = result.data.classInsight;
  return (
    <div className="space-y-6">
      <InsightLive labId={labId} />
      <div>
        <h1 className="text-2xl font-bold">{t('title', { lab: pick(x.lab.title, locale) })}</h1>
        <p className="text-slate-700">{t('intro', { students: x.students })}</p>
        <p className="mt-1 flex flex-wrap gap-4 text-sm">
          <Link
            href={`/labs/${encodeURIComponent(labId)}/scoreboard`}
            className="font-medium text-blue-800 underline"
          >
            {t('scoreboardLink')}
          </Link>
          <a
            href={`/export/insight/${encodeURIComponent(labId)}.csv?stuckRuns=${stuckRuns}`}
            className="font-medium text-blue-800 underline"
            data-testid="insight-csv"
          >
            {t('csv')}
          </a>
        </p>
      </div>

      <section aria-labelledby="failures" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="failures" className="mb-1 text-lg font-semibold">
          {t('failures')}
        </h2>
        <p className="mb-3 text-sm text-slate-600">{t('failuresHelp')}</p>
        <InsightFailures labId={labId} failures={x.failures} />
      </section>

      <section aria-labelledby="stuck" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="stuck" className="mb-1 text-lg font-semibold">
          {t('stuck')}
        </h2>
        <InsightStuckRuns stuckRuns={stuckRuns} />
        {x.stuck.length === 0 ? (
          <p className="text-slate-700">{t('noStuck')}</p>
        ) : (
          <DataTable label={t('stuck')} testId="stuck">
            <thead className="bg-slate-100">
              <tr>
                <th scope="col" className={th}>
                  {t('student')}
                </th>
                <th scope="col" className={th}>
                  {t('check')}
                </th>
                <th scope="col" className={th}>
                  {t('hint')}
                </th>
              </tr>
            </thead>
            <tbody>
              {x.stuck.map((s) => (
                <tr
                  key={`${s.enrollmentId}:${s.checkId}`}
                  className="border-t border-slate-200"
                  data-namespace={s.namespace}
                >
                  <th scope="row" className={`${th} font-normal`}>
                    <Link
                      href={`/labs/${encodeURIComponent(labId)}/ledger?enrollment=${encodeURIComponent(s.enrollmentId)}`}
                      className="text-blue-800 underline"
                    >
                      {s.name}
                    </Link>{' '}
                    <code className="font-mono text-slate-600">{s.namespace}</code>
                  </th>
                  <td className={th}>{pick(s.title, locale)}</td>
                  <td className={th}>
                    <code className="font-mono">{s.hintKey}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </section>

      <section aria-labelledby="ttp" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="ttp" className="mb-3 text-lg font-semibold">
          {t('timeToPass')}
        </h2>
        <DataTable label={t('timeToPass')}>
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className={th}>
                {t('check')}
              </th>
              <th scope="col" className={`${th} text-right`}>
                {t('passedOf')}
              </th>
              <th scope="col" className={`${th} text-right`}>
                {t('median')}
              </th>
            </tr>
          </thead>
          <tbody>
            {x.timeToPass.map((r) => (
              <tr key={r.checkId} className="border-t border-slate-200">
                <th scope="row" className={`${th} font-normal`}>
                  {pick(r.title, locale)}
                </th>
                <td className={`${th} text-right tabular-nums`}>
                  {r.passed} / {r.tried}
                </td>
                <td className={`${th} text-right tabular-nums`}>{duration(r.medianSeconds, t)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </section>

      <section aria-labelledby="days" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="days" className="mb-3 text-lg font-semibold">
          {t('byDay')}
        </h2>
        <InsightByDayChart byDay={x.byDay} />
        <DataTable
          label={t('byDayTable')}
          caption={t('byDayTable')}
          captionClassName="text-left text-sm text-slate-600"
          className="mt-3"
          testId="by-day"
        >
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className={th}>
                {t('day')}
              </th>
              <th scope="col" className={`${th} text-right`}>
                {t('runs')}
              </th>
              <th scope="col" className={`${th} text-right`}>
                {t('students')}
              </th>
              <th scope="col" className={`${th} text-right`}>
                {t('passedRuns')}
              </th>
              <th scope="col" className={`${th} text-right`}>
                {t('meanScore')}
              </th>
            </tr>
          </thead>
          <tbody>
            {x.byDay.map((d) => (
              <tr key={d.day} className="border-t border-slate-200">
                <th scope="row" className={`${th} font-normal`}>
                  {d.day}
                </th>
                <td className={`${th} text-right tabular-nums`}>{d.runs}</td>
                <td className={`${th} text-right tabular-nums`}>{d.students}</td>
                <td className={`${th} text-right tabular-nums`}>{d.passedRuns}</td>
                <td className={`${th} text-right tabular-nums`}>
                  {d.meanScore == null ? '—' : trim(d.meanScore)}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </section>

      <section aria-labelledby="attempts" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="attempts" className="mb-3 text-lg font-semibold">
          {t('attempts')}
        </h2>
        <DataTable label={t('attempts')}>
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className={th}>
                {t('student')}
              </th>
              <th scope="col" className={`${th} text-right`}>
                {t('runs')}
              </th>
              <th scope="col" className={th}>
                {t('lastRun')}
              </th>
            </tr>
          </thead>
          <tbody>
            {x.attempts.map((a) => (
              <tr key={a.enrollmentId} className="border-t border-slate-200">
                <th scope="row" className={`${th} font-normal`}>
                  {a.name} <code className="font-mono text-slate-600">{a.namespace}</code>
                </th>
                <td className={`${th} text-right tabular-nums`}>{a.runs}</td>
                <td className={th}>
                  <LocalDateTime iso={a.lastRunAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </section>
    </div>
  );
}

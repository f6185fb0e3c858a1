'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useQuery, useSubscription } from 'urql';
import { ErrorNote, Loading } from '@/components/Feedback';
import { pick } from '@/i18n/locales';
import { formatDateTime, trim } from '@/lib/format';
import { CLASS_INSIGHT, SCOREBOARD_CHANGED } from '@/lib/queries';
import type { ClassInsightQuery } from '@/lib/graphql.generated';
import { DataTable } from '@/components/DataTable';

type Insight = ClassInsightQuery['classInsight'];

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

function InsightView() {
  const t = useTranslations('insight');
  const locale = useLocale();
  const { labId } = useParams<{ labId: string }>();
  const [stuckRuns, setStuckRuns] = useState(3);
  const [open, setOpen] = useState<string | null>(null);
  const [{ data, error }, refetch] = useQuery<{ classInsight: Insight }>({
    query: CLASS_INSIGHT,
    variables: { labId, stuckRuns },
  });
  // Live: each finished run on the scoreboard topic refetches (at most every 2 s).
  const [sub] = useSubscription({ query: SCOREBOARD_CHANGED, variables: { labId } });
  const last = useRef(0);
  useEffect(() => {
    if (!sub.data) return;
    const wait = Math.max(0, 2000 - (Date.now() - last.current));
    const timer = setTimeout(() => {
      last.current = Date.now();
      refetch({ requestPolicy: 'network-only' });
    }, wait);
    return () => clearTimeout(timer);
  }, [sub.data, refetch]);

  if (error && !data)
    return <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!data) return <Loading />;
  const x = data.classInsight;
  const hint = (k: string | null) => k ?? t('noHint');
  return (
    <div className="space-y-6">
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
        {x.failures.length === 0 ? (
          <p className="text-slate-700">{t('noFailures')}</p>
        ) : (
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
              {x.failures.map((f) => {
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
                      <code className="font-mono">{hint(f.hintKey)}</code>
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
        )}
      </section>

      <section aria-labelledby="stuck" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="stuck" className="mb-1 text-lg font-semibold">
          {t('stuck')}
        </h2>
        <label className="mb-3 flex items-center gap-2 text-sm">
          {t('stuckRuns')}
          <input
            type="number"
            min="2"
            max="20"
            value={stuckRuns}
            onChange={(e) => setStuckRuns(Math.max(2, Math.min(20, Number(e.target.value) || 3)))}
            className="w-20 rounded border border-slate-400 px-2 py-1"
          />
        </label>
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
        <div className="h-64" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={x.byDay}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="runs" name={t('runs')} fill="#1d4ed8" />
              <Bar dataKey="passedRuns" name={t('passedRuns')} fill="#15803d" />
            </BarChart>
          </ResponsiveContainer>
        </div>
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
                <td className={th}>{formatDateTime(a.lastRunAt, locale)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </section>
    </div>
  );
}

/** Instructors and admins: what the class gets wrong in a lab, live as runs finish. */
export default function InsightPage() {
  return <InsightView />;
}

'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useParams, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useMe } from '@/components/AppShell';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { StatusBadge } from '@/components/StatusBadge';
import { pick } from '@/i18n/locales';
import { formatDateTime, formatScore, trim } from '@/lib/format';
import { ADJUST_SCORE, SCORE_LEDGER, STUDENT_PICKER } from '@/lib/queries';
import type { ScoreLedger } from '@/lib/types';
import { DataTable } from '@/components/DataTable';

/** A date in the viewer's zone, and (when it differs) in the course's, which is stated. */
function Dated({ iso, courseTz }: { iso: string | null; courseTz: string }) {
  const locale = useLocale();
  if (!iso) return <>—</>;
  const viewerTz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const inCourse = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: courseTz,
  }).format(new Date(iso));
  return (
    <time dateTime={iso}>
      {formatDateTime(iso, locale)}
      {viewerTz !== courseTz && (
        <span className="text-slate-600">
          {' '}
          ({inCourse} {courseTz})
        </span>
      )}
    </time>
  );
}

function AdjustForm({
  labId,
  enrollmentId,
  onDone,
}: {
  labId: string;
  enrollmentId: string;
  onDone: () => void;
}) {
  const t = useTranslations('ledger');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [state, adjust] = useMutation(ADJUST_SCORE);
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        const res = await adjust({ labId, enrollmentId, points: Number(points), reason });
        if (res.error) setError(errorMessage(res.error));
        else {
          setPoints('');
          setReason('');
          onDone();
        }
      }}
    >
      <label className="flex flex-col text-sm">
        {t('adjustPoints')}
        <input
          required
          type="number"
          step="0.5"
          value={points}
          onChange={(e) => setPoints(e.target.value)}
          className="w-28 rounded border border-slate-400 px-2 py-1"
        />
      </label>
      <label className="flex min-w-64 flex-1 flex-col text-sm">
        {t('adjustReason')}
        <input
          required
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          className="rounded border border-slate-400 px-2 py-1"
        />
      </label>
      <button
        type="submit"
        disabled={state.fetching}
        className="rounded bg-blue-800 px-3 py-1.5 font-semibold text-white disabled:opacity-50"
      >
        {t('adjustSubmit')}
      </button>
      {error && (
        <p role="alert" className="w-full text-sm text-red-900">
          {error}
        </p>
      )}
    </form>
  );
}

function StudentPicker({ labId, current }: { labId: string; current: string | null }) {
  const t = useTranslations('ledger');
  const router = useRouter();
  const [{ data }] = useQuery<{
    enrollments: { id: string; namespace: string; user: { name: string; role: string } }[];
  }>({
    query: STUDENT_PICKER,
  });
  const students = (data?.enrollments ?? []).filter((e) => e.user.role === 'STUDENT');
  return (
    <label className="flex items-center gap-2 text-sm">
      {t('student')}
      <select
        value={current ?? ''}
        onChange={(e) =>
          router.push(
            `/labs/${encodeURIComponent(labId)}/ledger?enrollment=${encodeURIComponent(e.target.value)}`,
          )
        }
        className="rounded border border-slate-400 px-2 py-1"
      >
        <option value="">—</option>
        {students.map((s) => (
          <option key={s.id} value={s.id}>
            {s.user.name} ({s.namespace})
          </option>
        ))}
      </select>
    </label>
  );
}

function LedgerView({
  ledger,
  staff,
  refresh,
}: {
  ledger: ScoreLedger;
  staff: boolean;
  refresh: () => void;
}) {
  const t = useTranslations('ledger');
  const locale = useLocale();
  const tz = ledger.courseTimeZone;
  const s = ledger.schedule;
  const c = ledger.counted;
  const viewerTz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const rule =
    s.latePenaltyPercent == null
      ? s.dueAt
        ? t('ruleNoLate')
        : t('ruleNoDue')
      : t('ruleLate', {
          percent: trim(s.latePenaltyPercent),
          hours: s.lateStepHours,
          floor: trim(s.lateFloorPercent),
        });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">{t('title', { lab: pick(ledger.lab.title, locale) })}</h1>
        <p className="text-slate-700">
          {ledger.student.name} · <code className="font-mono">{ledger.enrollment.namespace}</code>
        </p>
        <p className="text-sm text-slate-600">{t('timeZones', { viewer: viewerTz, course: tz })}</p>
      </div>

      <section aria-labelledby="final" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="final" className="text-lg font-semibold">
          {t('finalScore')}
        </h2>
        <p className="text-3xl font-bold tabular-nums" data-testid="ledger-final">
          {formatScore(ledger.finalScore, ledger.lab.maxScore)}
        </p>
        <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="font-medium">{t('policy')}</dt>
          <dd data-testid="ledger-policy">{t(`policies.${s.scorePolicy}`)}</dd>
          <dt className="font-medium">{t('opens')}</dt>
          <dd>
            <Dated iso={s.opensAt} courseTz={tz} />
          </dd>
          <dt className="font-medium">{t('due')}</dt>
          <dd>
            <Dated iso={s.dueAt} courseTz={tz} />
          </dd>
          {ledger.extension && (
            <>
              <dt className="font-medium">{t('extension')}</dt>
              <dd data-testid="ledger-extension">
                <Dated iso={ledger.extension.dueAt} courseTz={tz} />
                {ledger.extension.reason && <span> · {ledger.extension.reason}</span>}
              </dd>
            </>
          )}
          <dt className="font-medium">{t('closes')}</dt>
          <dd>
            <Dated iso={s.closesAt} courseTz={tz} />
          </dd>
          <dt className="font-medium">{t('lateRule')}</dt>
          <dd>{rule}</dd>
        </dl>
      </section>

      <section aria-labelledby="counted" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="counted" className="text-lg font-semibold">
          {t('countedRun')}
        </h2>
        {!c ? (
          <p className="text-slate-700">{t('noCounted')}</p>
        ) : (
          <>
            <p data-testid="ledger-counted">
              <Link
                href={`/runs/${encodeURIComponent(c.run.id)}`}
                className="font-medium text-blue-800 underline"
              >
                {t('runOf', { when: formatDateTime(c.run.queuedAt, locale) })}
              </Link>{' '}
              — {t(`reasons.${c.reason}`)}
            </p>
            <p className="text-xs text-slate-600">
              {t('versions', { lab: c.run.labVersion ?? '—', grader: c.run.graderVersion ?? '—' })}
            </p>
            <DataTable label={t('checkPoints')} className="mt-3">
              <thead className="bg-slate-100">
                <tr>
                  <th scope="col" className="px-3 py-1.5">
                    {t('check')}
                  </th>
                  <th scope="col" className="px-3 py-1.5">
                    {t('status')}
                  </th>
                  <th scope="col" className="px-3 py-1.5 text-right">
                    {t('points')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.checks.map((k) => (
                  <tr key={k.checkId} className="border-t border-slate-200">
                    <th scope="row" className="px-3 py-1.5 font-normal">
                      {pick(k.title, locale)}
                    </th>
                    <td className="px-3 py-1.5">
                      <StatusBadge status={k.status} />
                    </td>
                    <td className="px-3 py-1.5 text-right tabular-nums">
                      {formatScore(k.points, k.maxPoints)}
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr className="border-t border-slate-300">
                  <th scope="row" className="px-3 py-1.5 text-left">
                    {t('runScore')}
                  </th>
                  <td />
                  <td className="px-3 py-1.5 text-right tabular-nums">{formatScore(c.score, c.maxScore)}</td>
                </tr>
                <tr>
                  <th scope="row" className="px-3 py-1.5 text-left">
                    {t('lateDeduction')}
                  </th>
                  <td className="px-3 py-1.5" data-testid="ledger-late">
                    {c.latePercent > 0
                      ? t('lateSteps', { steps: c.lateSteps, percent: trim(c.latePercent) })
                      : t('onTime')}
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums">−{trim(c.score - c.scoreAfterLate)}</td>
                </tr>
                <tr>
                  <th scope="row" className="px-3 py-1.5 text-left">
                    {t('adjustments')}
                  </th>
                  <td />
                  <td className="px-3 py-1.5 text-right tabular-nums">
                    {ledger.adjustmentTotal >= 0 ? '+' : '−'}
                    {trim(Math.abs(ledger.adjustmentTotal))}
                  </td>
                </tr>
                <tr className="border-t border-slate-300 font-semibold">
                  <th scope="row" className="px-3 py-1.5 text-left">
                    {t('finalScore')}
                  </th>
                  <td />
                  <td className="px-3 py-1.5 text-right tabular-nums">
                    {formatScore(ledger.finalScore, ledger.lab.maxScore)}
                  </td>
                </tr>
              </tfoot>
            </DataTable>
          </>
        )}
      </section>

      <section aria-labelledby="adjustments" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="adjustments" className="text-lg font-semibold">
          {t('adjustments')}
        </h2>
        {ledger.adjustments.length === 0 ? (
          <p className="text-slate-700">{t('noAdjustments')}</p>
        ) : (
          <ul className="space-y-1 text-sm" data-testid="ledger-adjustments">
            {ledger.adjustments.map((a) => (
              <li key={a.id}>
                <span className="font-semibold tabular-nums">
                  {a.points > 0 ? `+${trim(a.points)}` : trim(a.points)}
                </span>{' '}
                — {a.reason}{' '}
                <span className="text-slate-600">
                  ({a.actor ?? '—'}, {formatDateTime(a.createdAt, locale)})
                </span>
              </li>
            ))}
          </ul>
        )}
        {staff && (
          <div className="mt-4">
            <AdjustForm labId={ledger.lab.id} enrollmentId={ledger.enrollment.id} onDone={refresh} />
          </div>
        )}
      </section>

      <section aria-labelledby="runs" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="runs" className="text-lg font-semibold">
          {t('runs')}
        </h2>
        <DataTable label={t('runs')} testId="ledger-runs">
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className="px-3 py-1.5">
                {t('queuedAt')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                {t('status')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                {t('standing')}
              </th>
              <th scope="col" className="px-3 py-1.5 text-right">
                {t('scoreAfterLate')}
              </th>
            </tr>
          </thead>
          <tbody>
            {ledger.runs.map((r) => (
              <tr
                key={r.run.id}
                className="border-t border-slate-200"
                data-counted={r.counted ? 'true' : undefined}
              >
                <td className="px-3 py-1.5">
                  <Link href={`/runs/${encodeURIComponent(r.run.id)}`} className="text-blue-800 underline">
                    {formatDateTime(r.run.queuedAt, locale)}
                  </Link>
                </td>
                <td className="px-3 py-1.5">
                  <StatusBadge status={r.run.status} />
                </td>
                <td className="px-3 py-1.5">
                  {[
                    r.counted ? t('counted') : null,
                    r.practice ? t('practice') : null,
                    r.latePercent > 0
                      ? t('lateSteps', { steps: r.lateSteps, percent: trim(r.latePercent) })
                      : null,
                  ]
                    .filter(Boolean)
                    .join(' · ') || '—'}
                </td>
                <td className="px-3 py-1.5 text-right tabular-nums">
                  {r.effectiveScore == null ? '—' : trim(r.effectiveScore)}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </section>
    </div>
  );
}

function LedgerPageBody() {
  const t = useTranslations('ledger');
  const me = useMe();
  const staff = me.role !== 'STUDENT';
  const { labId } = useParams<{ labId: string }>();
  const enrollmentId = useSearchParams().get('enrollment');
  const skip = staff && !enrollmentId;
  const [{ data, error }, refetch] = useQuery<{ scoreLedger: ScoreLedger }>({
    query: SCORE_LEDGER,
    variables: { labId, enrollmentId: staff ? enrollmentId : null },
    pause: skip,
    requestPolicy: 'cache-and-network',
  });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  return (
    <div className="space-y-4">
      {staff && (
        <div className="flex flex-wrap items-center gap-4">
          <StudentPicker labId={labId} current={enrollmentId} />
          <Link
            href={`/labs/${encodeURIComponent(labId)}/settings`}
            className="text-sm font-medium text-blue-800 underline"
          >
            {t('settingsLink')}
          </Link>
        </div>
      )}
      {skip ? (
        <p className="text-slate-700">{t('pickStudent')}</p>
      ) : error && !data ? (
        <ErrorNote error={error} onRetry={refresh} />
      ) : !data ? (
        <Loading />
      ) : (
        <LedgerView ledger={data.scoreLedger} staff={staff} refresh={refresh} />
      )}
    </div>
  );
}

/** The score ledger: a student's own, or (staff) any student's, with manual adjustments. */
export default function LedgerPage() {
  return (
    <Suspense>
      <LedgerPageBody />
    </Suspense>
  );
}

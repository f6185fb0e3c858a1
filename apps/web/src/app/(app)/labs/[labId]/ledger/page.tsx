import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { DataTable } from '@/components/DataTable';
import { ServerErrorNote } from '@/components/Feedback';
import { LedgerAdjustForm } from '@/components/LedgerAdjustForm';
import { LedgerDate, LedgerTimeZones } from '@/components/LedgerDates';
import { LedgerStudentPicker } from '@/components/LedgerStudentPicker';
import { DatedMessage, LocalDateTime } from '@/components/LocalDateTime';
import { StatusBadge } from '@/components/StatusBadge';
import { pick } from '@/i18n/locales';
import { formatScore, trim } from '@/lib/format';
import type { ScoreLedgerQuery, StudentPickerQuery } from '@/lib/graphql.generated';
import { SCORE_LEDGER, STUDENT_PICKER } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';
import { requireMe } from '@/lib/session';
import type { ScoreLedger } from '@/lib/types';

function first(v: string | string[] | undefined): string | null {
  return (Array.isArray(v) ? v[0] : v) || null;
}

async function LedgerView({ ledger, staff }: { ledger: ScoreLedger; staff: boolean }) {
  const [t, locale] = await Promise.all([getTranslations('ledger'), getLocale()]);
  const tz = ledger.courseTimeZone;
  const s = ledger.schedule;
  const c = ledger.counted;
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
        <LedgerTimeZones courseTz={tz} />
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
            <LedgerDate iso={s.opensAt} courseTz={tz} />
          </dd>
          <dt className="font-medium">{t('due')}</dt>
          <dd>
            <LedgerDate iso={s.dueAt} courseTz={tz} />
          </dd>
          {ledger.extension && (
            <>
              <dt className="font-medium">{t('extension')}</dt>
              <dd data-testid="ledger-extension">
                <LedgerDate iso={ledger.extension.dueAt} courseTz={tz} />
                {ledger.extension.reason && <span> · {ledger.extension.reason}</span>}
              </dd>
            </>
          )}
          <dt className="font-medium">{t('closes')}</dt>
          <dd>
            <LedgerDate iso={s.closesAt} courseTz={tz} />
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
                <DatedMessage namespace="ledger" id="runOf" dates={{ when: c.run.queuedAt }} />
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
                  ({a.actor ?? '—'}, <LocalDateTime iso={a.createdAt} />)
                </span>
              </li>
            ))}
          </ul>
        )}
        {staff && (
          <div className="mt-4">
            <LedgerAdjustForm labId={ledger.lab.id} enrollmentId={ledger.enrollment.id} />
          </div>
        )}
      </section>

      <section aria-labelledby="runs" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="runs" className="text-lg font-semibold">
          {t('runs')}
        </h2>
        <DataTable label={t('runs')} testId="ledger-runs">
          {/* Headers and dates on one line: on a phone the table scrolls sideways instead. */}
          <thead className="whitespace-nowrap bg-slate-100">
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
                <td className="whitespace-nowrap px-3 py-1.5">
                  <Link href={`/runs/${encodeURIComponent(r.run.id)}`} className="text-blue-800 underline">
                    <LocalDateTime iso={r.run.queuedAt} />
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

/**
 * The score ledger: a student's own, or (staff) the student the URL names (`?enrollment=`), with
 * manual adjustments.
 */
export default async function LedgerPage({
  params,
  searchParams,
}: {
  params: Promise<{ labId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ labId: rawLabId }, query, me, t] = await Promise.all([
    params,
    searchParams,
    requireMe(),
    getTranslations('ledger'),
  ]);
  const labId = decodeURIComponent(rawLabId);
  const staff = me.role !== 'STUDENT';
  const enrollmentId = staff ? first(query.enrollment) : null;
  const skip = staff && !enrollmentId;
  const [picker, result] = await Promise.all([
    staff ? serverQuery<StudentPickerQuery>(STUDENT_PICKER) : null,
    skip ? null : serverQuery<ScoreLedgerQuery>(SCORE_LEDGER, { labId, enrollmentId }),
  ]);
  return (
    <div className="space-y-4">
      {picker && (
        <div className="flex flex-wrap items-center gap-4">
          {picker.error !== null ? (
            <ServerErrorNote message={picker.error} />
          ) : (
            <LedgerStudentPicker
              students={picker.data.enrollments.filter((e) => e.user.role === 'STUDENT')}
              current={enrollmentId}
            />
          )}
          <Link
            href={`/labs/${encodeURIComponent(labId)}/settings`}
            className="text-sm font-medium text-blue-800 underline"
          >
            {t('settingsLink')}
          </Link>
        </div>
      )}
      {!result ? (
        <p className="text-slate-700">{t('pickStudent')}</p>
      ) : result.error !== null ? (
        <ServerErrorNote message={result.error} />
      ) : (
        <LedgerView ledger={result.data.scoreLedger} staff={staff} />
      )}
    </div>
  );
}

'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { pick } from '@/i18n/locales';
import { formatDateTime } from '@/lib/format';
import {
  LAB_SETTINGS,
  REMOVE_EXTENSION,
  SET_EXTENSION,
  SET_LAB_SCHEDULE,
  STUDENT_PICKER,
} from '@/lib/queries';
import type { LabSchedule, ScorePolicy } from '@/lib/types';
import type { LabSettingsQuery, StudentPickerQuery } from '@/lib/graphql.generated';
import { DataTable } from '@/components/DataTable';

type SettingsData = LabSettingsQuery;
type PickerData = StudentPickerQuery;

/** An ISO date as a datetime-local value in the viewer's zone ("2026-12-20T23:59"). */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A datetime-local value (the viewer's zone) as a UTC ISO string, or null when empty. */
function fromLocalInput(v: string): string | null {
  return v ? new Date(v).toISOString() : null;
}

function DateField({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <label htmlFor={id} className="flex flex-col text-sm">
      {label}
      <input
        id={id}
        type="datetime-local"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="rounded border border-slate-400 px-2 py-1"
      />
    </label>
  );
}

function ScheduleForm({
  labId,
  schedule,
  onSaved,
}: {
  labId: string;
  schedule: LabSchedule;
  onSaved: () => void;
}) {
  const t = useTranslations('labSettings');
  const tl = useTranslations('ledger');
  const [opensAt, setOpensAt] = useState(toLocalInput(schedule.opensAt));
  const [dueAt, setDueAt] = useState(toLocalInput(schedule.dueAt));
  const [closesAt, setClosesAt] = useState(toLocalInput(schedule.closesAt));
  const [penalty, setPenalty] = useState(
    schedule.latePenaltyPercent == null ? '' : String(schedule.latePenaltyPercent),
  );
  const [stepHours, setStepHours] = useState(String(schedule.lateStepHours));
  const [floor, setFloor] = useState(String(schedule.lateFloorPercent));
  const [policy, setPolicy] = useState<ScorePolicy>(schedule.scorePolicy);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [state, save] = useMutation(SET_LAB_SCHEDULE);
  return (
    <form
      className="space-y-4"
      onSubmit={async (e) => {
        e.preventDefault();
        setMessage(null);
        const res = await save({
          labId,
          input: {
            opensAt: fromLocalInput(opensAt),
            dueAt: fromLocalInput(dueAt),
            closesAt: fromLocalInput(closesAt),
            latePenaltyPercent: penalty === '' ? null : Number(penalty),
            lateStepHours: Number(stepHours),
            lateFloorPercent: Number(floor),
            scorePolicy: policy,
          },
        });
        if (res.error) setMessage({ ok: false, text: errorMessage(res.error) });
        else {
          setMessage({ ok: true, text: t('saved') });
          onSaved();
        }
      }}
    >
      <div className="grid gap-4 sm:grid-cols-3">
        <DateField id="opensAt" label={t('opensAt')} value={opensAt} onChange={setOpensAt} />
        <DateField id="dueAt" label={t('dueAt')} value={dueAt} onChange={setDueAt} />
        <DateField id="closesAt" label={t('closesAt')} value={closesAt} onChange={setClosesAt} />
      </div>
      <div className="grid gap-4 sm:grid-cols-4">
        <label htmlFor="latePenalty" className="flex flex-col text-sm">
          {t('latePenalty')}
          <input
            id="latePenalty"
            type="number"
            min="0"
            max="100"
            step="any"
            value={penalty}
            onChange={(e) => setPenalty(e.target.value)}
            className="rounded border border-slate-400 px-2 py-1"
          />
        </label>
        <label htmlFor="lateStepHours" className="flex flex-col text-sm">
          {t('lateStepHours')}
          <input
            id="lateStepHours"
            type="number"
            min="1"
            step="1"
            value={stepHours}
            onChange={(e) => setStepHours(e.target.value)}
            className="rounded border border-slate-400 px-2 py-1"
          />
        </label>
        <label htmlFor="lateFloor" className="flex flex-col text-sm">
          {t('lateFloor')}
          <input
            id="lateFloor"
            type="number"
            min="0"
            max="100"
            step="any"
            value={floor}
            onChange={(e) => setFloor(e.target.value)}
            className="rounded border border-slate-400 px-2 py-1"
          />
        </label>
        <label htmlFor="policy" className="flex flex-col text-sm">
          {t('policy')}
          <select
            id="policy"
            value={policy}
            onChange={(e) => setPolicy(e.target.value as ScorePolicy)}
            className="rounded border border-slate-400 px-2 py-1"
          >
            {(['BEST', 'LAST', 'BEST_BEFORE_DUE'] as const).map((p) => (
              <option key={p} value={p}>
                {tl(`policies.${p}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="text-sm text-slate-600">{t('lateHelp')}</p>
      <button
        type="submit"
        disabled={state.fetching}
        className="rounded bg-blue-800 px-4 py-2 font-semibold text-white disabled:opacity-50"
      >
        {t('save')}
      </button>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'text-green-900' : 'text-red-900'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function Extensions({
  labId,
  data,
  onChanged,
}: {
  labId: string;
  data: SettingsData;
  onChanged: () => void;
}) {
  const t = useTranslations('labSettings');
  const locale = useLocale();
  const [enrollmentId, setEnrollmentId] = useState('');
  const [dueAt, setDueAt] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [setState, setExtension] = useMutation(SET_EXTENSION);
  const [, removeExtension] = useMutation(REMOVE_EXTENSION);
  const [{ data: picker }] = useQuery<PickerData>({ query: STUDENT_PICKER });
  const students = (picker?.enrollments ?? []).filter((e) => e.user.role === 'STUDENT');
  return (
    <div className="space-y-4">
      {data.labExtensions.length === 0 ? (
        <p className="text-slate-700">{t('noExtensions')}</p>
      ) : (
        <DataTable label={t('extensions')} testId="extensions">
          <thead className="bg-slate-100">
            <tr>
              <th scope="col" className="px-3 py-1.5">
                {t('student')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                {t('dueAt')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                {t('reason')}
              </th>
              <th scope="col" className="px-3 py-1.5">
                <span className="sr-only">{t('remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.labExtensions.map((x) => (
              <tr key={x.enrollment.id} className="border-t border-slate-200">
                <th scope="row" className="px-3 py-1.5 font-normal">
                  {x.enrollment.user.name} (<code className="font-mono">{x.enrollment.namespace}</code>)
                </th>
                <td className="px-3 py-1.5">{formatDateTime(x.dueAt, locale)}</td>
                <td className="px-3 py-1.5">{x.reason ?? '—'}</td>
                <td className="px-3 py-1.5">
                  <button
                    type="button"
                    className="text-red-800 underline"
                    onClick={async () => {
                      const res = await removeExtension({ labId, enrollmentId: x.enrollment.id });
                      if (res.error) setError(errorMessage(res.error));
                      else onChanged();
                    }}
                  >
                    {t('remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          const iso = fromLocalInput(dueAt);
          if (!enrollmentId || !iso) return;
          const res = await setExtension({ labId, enrollmentId, dueAt: iso, reason: reason || null });
          if (res.error) setError(errorMessage(res.error));
          else {
            setReason('');
            onChanged();
          }
        }}
      >
        <label htmlFor="extStudent" className="flex flex-col text-sm">
          {t('student')}
          <select
            id="extStudent"
            required
            value={enrollmentId}
            onChange={(e) => setEnrollmentId(e.target.value)}
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
        <DateField id="extDueAt" label={t('extensionDueAt')} value={dueAt} onChange={setDueAt} />
        <label htmlFor="extReason" className="flex min-w-48 flex-1 flex-col text-sm">
          {t('reason')}
          <input
            id="extReason"
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className="rounded border border-slate-400 px-2 py-1"
          />
        </label>
        <button
          type="submit"
          disabled={setState.fetching}
          className="rounded bg-blue-800 px-3 py-1.5 font-semibold text-white disabled:opacity-50"
        >
          {t('addExtension')}
        </button>
      </form>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </div>
  );
}

function Settings() {
  const t = useTranslations('labSettings');
  const locale = useLocale();
  const { labId } = useParams<{ labId: string }>();
  const [{ data, error }, refetch] = useQuery<SettingsData>({ query: LAB_SETTINGS, variables: { labId } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  if (error && !data) return <ErrorNote error={error} onRetry={refresh} />;
  if (!data?.lab) return <Loading />;
  const viewerTz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const courseTz = data.courses[0]?.timeZone ?? 'UTC';
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">{t('title', { lab: pick(data.lab.title, locale) })}</h1>
        <p className="text-sm text-slate-600">{t('timeZones', { viewer: viewerTz, course: courseTz })}</p>
        <p className="mt-1 flex gap-4 text-sm">
          <Link
            href={`/labs/${encodeURIComponent(labId)}/scoreboard`}
            className="font-medium text-blue-800 underline"
          >
            {t('scoreboardLink')}
          </Link>
          <Link
            href={`/labs/${encodeURIComponent(labId)}/ledger`}
            className="font-medium text-blue-800 underline"
          >
            {t('ledgerLink')}
          </Link>
          <Link
            href={`/labs/${encodeURIComponent(labId)}/regrade`}
            className="font-medium text-blue-800 underline"
          >
            {t('regradeLink')}
          </Link>
          <Link
            href={`/labs/${encodeURIComponent(labId)}/insight`}
            className="font-medium text-blue-800 underline"
          >
            {t('insightLink')}
          </Link>
        </p>
      </div>
      <section aria-labelledby="schedule" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="schedule" className="mb-3 text-lg font-semibold">
          {t('schedule')}
        </h2>
        <ScheduleForm labId={labId} schedule={data.lab.schedule} onSaved={refresh} />
      </section>
      <section aria-labelledby="extensions" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="extensions" className="mb-3 text-lg font-semibold">
          {t('extensions')}
        </h2>
        <Extensions labId={labId} data={data} onChanged={refresh} />
      </section>
    </div>
  );
}

/** Instructors and admins: a lab's dates, late rule, score policy and per-student extensions. */
export default function LabSettingsPage() {
  return <Settings />;
}

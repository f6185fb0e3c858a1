'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useParams, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { buttonClass } from '@/components/forms/fields';
import { pick } from '@/i18n/locales';
import { formatDateTime, trim } from '@/lib/format';
import {
  APPLY_REGRADE_PREVIEW,
  LAB_FOR_REGRADE,
  PREVIEW_REGRADE,
  REGRADE_PREVIEW,
  SET_CHECK_POINTS,
} from '@/lib/queries';
import type { Lab } from '@/lib/types';
import type { PreviewChange, PreviewFieldsFragment } from '@/lib/graphql.generated';
import { DataTable } from '@/components/DataTable';

type Change = PreviewChange;
type Preview = PreviewFieldsFragment;

// Each change has an icon and a word as well as a colour.
const CHANGE_STYLE: Record<Change, { icon: string; cls: string }> = {
  UP: { icon: '▲', cls: 'text-green-900' },
  DOWN: { icon: '▼', cls: 'text-red-900' },
  UNCHANGED: { icon: '=', cls: 'text-slate-700' },
  ERROR: { icon: '⚠', cls: 'text-amber-900' },
  PENDING: { icon: '⋯', cls: 'text-sky-900' },
};

function Points({ lab, onSaved }: { lab: Lab; onSaved: () => void }) {
  const t = useTranslations('regrade');
  const locale = useLocale();
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(lab.checks.map((c) => [c.id, String(c.points)])),
  );
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [state, save] = useMutation(SET_CHECK_POINTS);
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setMessage(null);
        for (const c of lab.checks) {
          const v = Number(values[c.id]);
          if (v === c.points) continue;
          const res = await save({ labId: lab.id, checkId: c.id, points: v });
          if (res.error) return setMessage({ ok: false, text: errorMessage(res.error) });
        }
        setMessage({ ok: true, text: t('pointsSaved') });
        onSaved();
      }}
    >
      <p className="text-sm text-slate-700">{t('version', { version: lab.version })}</p>
      <div className="grid gap-3 sm:grid-cols-3 lg:grid-cols-5">
        {lab.checks.map((c) => (
          <label key={c.id} htmlFor={`points-${c.id}`} className="flex flex-col text-sm">
            {pick(c.title, locale)}
            <input
              id={`points-${c.id}`}
              type="number"
              min="0"
              max="1000"
              step="1"
              value={values[c.id] ?? ''}
              onChange={(e) => setValues({ ...values, [c.id]: e.target.value })}
              className="rounded border border-slate-400 px-2 py-1"
            />
          </label>
        ))}
      </div>
      <button type="submit" disabled={state.fetching} className={buttonClass.secondary}>
        {t('savePoints')}
      </button>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'text-green-900' : 'text-red-900'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function PreviewTable({ preview, onApplied }: { preview: Preview; onApplied: () => void }) {
  const t = useTranslations('regrade');
  const locale = useLocale();
  const [neverLower, setNeverLower] = useState(true);
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [state, apply] = useMutation<{ applyRegradePreview: { applied: number; skippedLower: number } }>(
    APPLY_REGRADE_PREVIEW,
  );
  const fmt = (n: number | null) => (n == null ? '—' : trim(n));
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        {t('previewOf', { version: preview.labVersion, when: formatDateTime(preview.createdAt, locale) })}{' '}
        {t('graderVersions', {
          versions:
            [...new Set(preview.items.flatMap((i) => (i.graderVersion ? [i.graderVersion] : [])))].join(
              ', ',
            ) || '—',
        })}{' '}
        {preview.disruptive ? t('withDisruptive') : t('withoutDisruptive')}
      </p>
      <p role="status" className="font-medium" data-testid="preview-totals">
        {t('totals', {
          ...preview.totals,
          oldTotal: trim(preview.totals.oldTotal),
          newTotal: trim(preview.totals.newTotal),
        })}
      </p>
      <DataTable label={t('tableCaption')} testId="preview-table">
        <thead className="bg-slate-100">
          <tr>
            <th scope="col" className="px-3 py-1.5">
              {t('student')}
            </th>
            <th scope="col" className="px-3 py-1.5 text-right">
              {t('oldScore')}
            </th>
            <th scope="col" className="px-3 py-1.5 text-right">
              {t('newScore')}
            </th>
            <th scope="col" className="px-3 py-1.5 text-right">
              {t('difference')}
            </th>
            <th scope="col" className="px-3 py-1.5">
              {t('change')}
            </th>
          </tr>
        </thead>
        <tbody>
          {preview.items.map((i) => (
            <tr
              key={i.enrollment.id}
              className="border-t border-slate-200"
              data-namespace={i.namespace}
              data-change={i.change}
            >
              <th scope="row" className="px-3 py-1.5 font-normal">
                {i.enrollment.user.name} (<code className="font-mono">{i.namespace}</code>)
              </th>
              <td className="px-3 py-1.5 text-right tabular-nums">{fmt(i.oldScore)}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">
                {i.newScore == null ? '—' : `${trim(i.newScore)} / ${trim(i.maxScore)}`}
              </td>
              <td className="px-3 py-1.5 text-right tabular-nums" data-testid="difference">
                {i.difference == null
                  ? '—'
                  : i.difference > 0
                    ? `+${trim(i.difference)}`
                    : trim(i.difference)}
              </td>
              <td className={`px-3 py-1.5 font-medium ${CHANGE_STYLE[i.change].cls}`}>
                <span aria-hidden="true">{CHANGE_STYLE[i.change].icon}</span> {t(`changes.${i.change}`)}
                {i.error && <span className="block text-xs font-normal">{i.error}</span>}
                {i.appliedRunId && (
                  <Link
                    href={`/runs/${encodeURIComponent(i.appliedRunId)}`}
                    className="ml-2 text-xs font-normal text-blue-800 underline"
                  >
                    {t('appliedRun')}
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {preview.appliedAt ? (
        <p className="rounded-md bg-green-50 p-3 text-green-900" data-testid="applied">
          {t('appliedBy', {
            who: preview.appliedBy ?? '—',
            when: formatDateTime(preview.appliedAt, locale),
            reason: preview.applyReason ?? '',
          })}
        </p>
      ) : (
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={async (e) => {
            e.preventDefault();
            setResult(null);
            const res = await apply({ id: preview.id, neverLower, reason });
            if (res.error) setResult({ ok: false, text: errorMessage(res.error) });
            else {
              setResult({
                ok: true,
                text: t('appliedResult', {
                  applied: res.data!.applyRegradePreview.applied,
                  skipped: res.data!.applyRegradePreview.skippedLower,
                }),
              });
              onApplied();
            }
          }}
        >
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" checked={neverLower} onChange={(e) => setNeverLower(e.target.checked)} />
            {t('neverLower')}
          </label>
          <label htmlFor="apply-reason" className="flex min-w-64 flex-1 flex-col text-sm">
            {t('reason')}
            <input
              id="apply-reason"
              required
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              className="rounded border border-slate-400 px-2 py-1"
            />
          </label>
          <button
            type="submit"
            disabled={state.fetching || preview.totals.pending > 0}
            className={buttonClass.primary}
          >
            {t('apply')}
          </button>
        </form>
      )}
      {result && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'text-green-900' : 'text-red-900'}>
          {result.text}
        </p>
      )}
    </div>
  );
}

function Regrade() {
  const t = useTranslations('regrade');
  const locale = useLocale();
  const router = useRouter();
  const { labId } = useParams<{ labId: string }>();
  const params = useSearchParams();
  const previewId = params.get('preview');
  // Students chosen on the scoreboard (enrollment ids), else everyone.
  const selected = (params.get('enrollments') ?? '').split(',').filter(Boolean).slice(0, 5000);
  const [{ data: labData, error: labError }, refetchLab] = useQuery<{ lab: Lab | null }>({
    query: LAB_FOR_REGRADE,
    variables: { id: labId },
  });
  const [{ data, error }, refetch] = useQuery<{ regradePreview: Preview }>({
    query: REGRADE_PREVIEW,
    variables: { id: previewId },
    pause: !previewId,
    requestPolicy: 'network-only',
  });
  const [disruptive, setDisruptive] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [startState, start] = useMutation<{ previewRegrade: Preview }>(PREVIEW_REGRADE);
  const pending = data?.regradePreview.totals.pending ?? 0;
  // Dry runs finish one by one on the worker: poll while some are still pending.
  useEffect(() => {
    if (!previewId || pending === 0) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 2000);
    return () => clearInterval(timer);
  }, [previewId, pending, refetch]);

  if (labError && !labData)
    return <ErrorNote error={labError} onRetry={() => refetchLab({ requestPolicy: 'network-only' })} />;
  if (!labData?.lab) return <Loading />;
  const lab = labData.lab;
  const hasDisruptive = lab.checks.some((c) => c.disruptive);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">{t('title', { lab: pick(lab.title, locale) })}</h1>
        <p className="text-slate-700">{t('intro')}</p>
        <Link
          href={`/labs/${encodeURIComponent(labId)}/scoreboard`}
          className="text-sm font-medium text-blue-800 underline"
        >
          {t('scoreboardLink')}
        </Link>
      </div>
      <section aria-labelledby="points" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="points" className="mb-3 text-lg font-semibold">
          {t('points')}
        </h2>
        <Points lab={lab} onSaved={() => refetchLab({ requestPolicy: 'network-only' })} />
      </section>
      <section aria-labelledby="start" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="start" className="mb-3 text-lg font-semibold">
          {selected.length ? t('startSelected', { count: selected.length }) : t('start')}
        </h2>
        <form
          className="space-y-3"
          onSubmit={async (e) => {
            e.preventDefault();
            setStartError(null);
            const res = await start(
              selected.length
                ? { labId, enrollmentIds: selected, disruptive, confirmDisruptive: confirm }
                : { labId, all: true, disruptive, confirmDisruptive: confirm },
            );
            if (res.error) setStartError(errorMessage(res.error));
            else
              router.push(
                `/labs/${encodeURIComponent(labId)}/regrade?preview=${encodeURIComponent(res.data!.previewRegrade.id)}`,
              );
          }}
        >
          {hasDisruptive && (
            <>
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={disruptive}
                  onChange={(e) => setDisruptive(e.target.checked)}
                />
                {t('includeDisruptive')}
              </label>
              {disruptive && (
                <label className="flex items-center gap-2 text-sm font-medium text-amber-900">
                  <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
                  {t('confirmDisruptive')}
                </label>
              )}
            </>
          )}
          <button
            type="submit"
            disabled={startState.fetching || (disruptive && !confirm)}
            className={buttonClass.primary}
          >
            {t('startButton')}
          </button>
          {startError && (
            <p role="alert" className="text-red-900">
              {startError}
            </p>
          )}
        </form>
      </section>
      {previewId && (
        <section aria-labelledby="preview" className="rounded-lg border border-slate-200 bg-white p-5">
          <h2 id="preview" className="mb-3 text-lg font-semibold">
            {t('preview')}
          </h2>
          {error && !data ? (
            <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
          ) : !data ? (
            <Loading />
          ) : (
            <PreviewTable
              preview={data.regradePreview}
              onApplied={() => refetch({ requestPolicy: 'network-only' })}
            />
          )}
        </section>
      )}
    </div>
  );
}

/** Instructors and admins: edit a lab's points, preview a regrade (nothing recorded), then apply it. */
export default function RegradePage() {
  return (
    <Suspense>
      <Regrade />
    </Suspense>
  );
}

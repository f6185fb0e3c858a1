import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DataTable } from '@/components/DataTable';
import { ServerErrorNote } from '@/components/Feedback';
import { DatedMessage } from '@/components/LocalDateTime';
import { RegradeApplyForm } from '@/components/RegradeApplyForm';
import { RegradePoints } from '@/components/RegradePoints';
import { RegradePreviewPoller } from '@/components/RegradePreviewPoller';
import { RegradeStartForm } from '@/components/RegradeStartForm';
import { pick } from '@/i18n/locales';
import { trim } from '@/lib/format';
import type {
  LabForRegradeQuery,
  PreviewChange,
  PreviewFieldsFragment,
  RegradePreviewQuery,
} from '@/lib/graphql.generated';
import { LAB_FOR_REGRADE, REGRADE_PREVIEW } from '@/lib/queries';
import { regradeOptionsFromParams } from '@/lib/regrade';
import { serverQuery } from '@/lib/server-graphql';

// Each change has an icon and a word as well as a colour.
const CHANGE_STYLE: Record<PreviewChange, { icon: string; cls: string }> = {
  UP: { icon: '▲', cls: 'text-green-900' },
  DOWN: { icon: '▼', cls: 'text-red-900' },
  UNCHANGED: { icon: '=', cls: 'text-slate-700' },
  ERROR: { icon: '⚠', cls: 'text-amber-900' },
  PENDING: { icon: '⋯', cls: 'text-sky-900' },
};

async function PreviewTable({ preview }: { preview: PreviewFieldsFragment }) {
  const t = await getTranslations('regrade');
  const fmt = (n: number | null) => (n == null ? '—' : trim(n));
  return (
    <div className="space-y-4">
      <RegradePreviewPoller pending={preview.totals.pending} />
      <p className="text-sm text-slate-700">
        <DatedMessage
          namespace="regrade"
          id="previewOf"
          values={{ version: preview.labVersion }}
          dates={{ when: preview.createdAt }}
        />{' '}
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
      {preview.appliedAt && (
        <p className="rounded-md bg-green-50 p-3 text-green-900" data-testid="applied">
          <DatedMessage
            namespace="regrade"
            id="appliedBy"
            values={{ who: preview.appliedBy ?? '—', reason: preview.applyReason ?? '' }}
            dates={{ when: preview.appliedAt }}
          />
        </p>
      )}
      <RegradeApplyForm
        key={preview.id}
        previewId={preview.id}
        applied={Boolean(preview.appliedAt)}
        pending={preview.totals.pending}
      />
    </div>
  );
}

/**
 * Instructors and admins: edit a lab's points, preview a regrade (nothing recorded), then apply it.
 * Who is previewed, whether the disruptive check is included and the preview shown are the URL's
 * (`?enrollments=&disruptive=1&preview=`).
 */
export default async function RegradePage({
  params,
  searchParams,
}: {
  params: Promise<{ labId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const labId = decodeURIComponent((await params).labId);
  const options = regradeOptionsFromParams(await searchParams);
  const [labResult, previewResult, t, locale] = await Promise.all([
    serverQuery<LabForRegradeQuery>(LAB_FOR_REGRADE, { id: labId }),
    options.preview ? serverQuery<RegradePreviewQuery>(REGRADE_PREVIEW, { id: options.preview }) : null,
    getTranslations('regrade'),
    getLocale(),
  ]);
  if (labResult.error !== null) return <ServerErrorNote message={labResult.error} />;
  const lab = labResult.data.lab;
  if (!lab) notFound();
  const hasDisruptive = lab.checks.some((c) => c.disruptive);
  const selected = options.enrollments;
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
        <RegradePoints lab={lab} />
      </section>
      <section aria-labelledby="start" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="start" className="mb-3 text-lg font-semibold">
          {selected.length ? t('startSelected', { count: selected.length }) : t('start')}
        </h2>
        <RegradeStartForm
          labId={labId}
          hasDisruptive={hasDisruptive}
          options={{ ...options, disruptive: hasDisruptive && options.disruptive }}
        />
      </section>
      {previewResult && (
        <section aria-labelledby="preview" className="rounded-lg border border-slate-200 bg-white p-5">
          <h2 id="preview" className="mb-3 text-lg font-semibold">
            {t('preview')}
          </h2>
          {previewResult.error !== null ? (
            <ServerErrorNote message={previewResult.error} />
          ) : (
            <PreviewTable preview={previewResult.data.regradePreview} />
          )}
        </section>
      )}
    </div>
  );
}

'use client';
import { useTranslations } from 'next-intl';
import { useState, type ChangeEvent } from 'react';
import { useMutation } from 'urql';
import { CopyButton } from './CopyButton';
import { DataTable } from './DataTable';
import { errorMessage } from './Feedback';
import { buttonClass, TextField } from './forms/fields';
import type { ImportRosterMutation, ImportRosterMutationVariables } from '@/lib/graphql.generated';
import { IMPORT_ROSTER } from '@/lib/queries';
import type { RosterImportResult } from '@/lib/types';

const EXAMPLE = 'email,name,student_id,namespace\nli.lei@example.edu,Li Lei,2024001,lilei';

function ResultTables({ result }: { result: RosterImportResult }) {
  const t = useTranslations('roster');
  return (
    <div className="space-y-4">
      <p className="font-medium" role="status">
        {t(result.dryRun ? 'previewSummary' : 'appliedSummary', {
          created: result.created,
          updated: result.updated,
          unchanged: result.unchanged,
          errors: result.errors.length,
        })}
      </p>
      {result.errors.length > 0 && (
        <DataTable
          label={t('errorsCaption')}
          caption={t('errorsCaption')}
          captionClassName="px-3 pt-3 text-left font-semibold text-red-900"
          className="rounded-lg border border-red-300 bg-red-50"
          testId="roster-errors"
        >
          <thead>
            <tr>
              <th scope="col" className="px-3 py-2">
                {t('line')}
              </th>
              <th scope="col" className="px-3 py-2">
                {t('problem')}
              </th>
            </tr>
          </thead>
          <tbody>
            {result.errors.map((e) => (
              <tr key={`${e.line}-${e.message}`} className="border-t border-red-200">
                <th scope="row" className="px-3 py-2 tabular-nums">
                  {e.line}
                </th>
                <td className="px-3 py-2 text-red-900">{e.message}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      {result.changes.length > 0 && (
        <DataTable
          label={result.dryRun ? t('changesCaptionPreview') : t('changesCaptionApplied')}
          caption={result.dryRun ? t('changesCaptionPreview') : t('changesCaptionApplied')}
          className="rounded-lg border border-slate-200 bg-white"
          testId="roster-changes"
        >
          <thead>
            <tr className="border-b border-slate-300">
              <th scope="col" className="px-3 py-2">
                {t('line')}
              </th>
              <th scope="col" className="px-3 py-2">
                {t('action')}
              </th>
              <th scope="col" className="px-3 py-2">
                {t('email')}
              </th>
              <th scope="col" className="px-3 py-2">
                {t('name')}
              </th>
              <th scope="col" className="px-3 py-2">
                {t('studentId')}
              </th>
              <th scope="col" className="px-3 py-2">
                {t('namespace')}
              </th>
              {!result.dryRun && (
                <th scope="col" className="px-3 py-2">
                  {t('setPasswordLink')}
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {result.changes.map((c) => (
              <tr key={c.line} className="border-b border-slate-200">
                <th scope="row" className="px-3 py-2 tabular-nums">
                  {c.line}
                </th>
                <td className="px-3 py-2">
                  {t.has(`actions.${c.action}`) ? t(`actions.${c.action}`) : c.action}
                </td>
                <td className="px-3 py-2">{c.email}</td>
                <td className="px-3 py-2">{c.name}</td>
                <td className="px-3 py-2">{c.studentId ?? '—'}</td>
                <td className="px-3 py-2 font-mono">{c.namespace}</td>
                {!result.dryRun && (
                  <td className="px-3 py-2">
                    {c.setPasswordUrl ? (
                      <span className="flex items-center gap-2">
                        <input
                          readOnly
                          value={c.setPasswordUrl}
                          aria-label={t('linkFor', { name: c.name })}
                          className="w-72 rounded border border-slate-300 px-2 py-1 font-mono text-xs"
                          onFocus={(e) => e.target.select()}
                        />
                        <CopyButton text={c.setPasswordUrl} />
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      {!result.dryRun && result.changes.some((c) => c.setPasswordUrl) && (
        <p className="text-sm text-amber-900">{t('linksOnce')}</p>
      )}
    </div>
  );
}

/**
 * The roster page's client island: the CSV, its dry-run preview with the per-line errors, then the
 * apply, whose one-time set-password links live only in this component's state (shown once).
 * Nothing the server page renders changes, so there is no refresh after it.
 */
export function RosterImportForm() {
  const t = useTranslations('roster');
  const [csv, setCsv] = useState('');
  const [courseSlug, setCourseSlug] = useState('');
  const [previewed, setPreviewed] = useState<string | null>(null);
  const [result, setResult] = useState<RosterImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, run] = useMutation<ImportRosterMutation, ImportRosterMutationVariables>(IMPORT_ROSTER);

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (file) setCsv(await file.text());
  }

  async function submit(dryRun: boolean) {
    setError(null);
    const res = await run({ csv, dryRun, courseSlug: courseSlug.trim() || null });
    if (res.error) return setError(errorMessage(res.error));
    if (!res.data) return;
    setResult(res.data.importRoster);
    setPreviewed(dryRun ? csv : null);
  }

  const canApply = previewed === csv && result?.dryRun === true && result.errors.length === 0;
  return (
    <div className="space-y-5">
      <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <label htmlFor="roster-csv" className="block font-medium">
          {t('csvLabel')}
        </label>
        <textarea
          id="roster-csv"
          value={csv}
          onChange={(e) => setCsv(e.target.value)}
          rows={10}
          placeholder={EXAMPLE}
          aria-describedby="roster-format"
          className="block w-full rounded-md border border-slate-400 p-3 font-mono text-sm"
        />
        <p id="roster-format" className="text-sm text-slate-600">
          {t('format')}
        </p>
        <div className="flex flex-wrap items-end gap-4">
          <TextField
            id="roster-file"
            label={t('upload')}
            controlClass="text-sm"
            type="file"
            accept=".csv,text/csv"
            onChange={onFile}
          />
          <TextField
            id="roster-course"
            label={t('courseSlug')}
            value={courseSlug}
            onChange={(e) => setCourseSlug(e.target.value)}
          />
        </div>
        <div className="flex flex-wrap gap-3">
          <button
            type="button"
            className={buttonClass.secondary}
            disabled={!csv.trim() || state.fetching}
            onClick={() => submit(true)}
          >
            {t('preview')}
          </button>
          <button
            type="button"
            className={buttonClass.primary}
            disabled={!canApply || state.fetching}
            onClick={() => submit(false)}
          >
            {t('apply')}
          </button>
        </div>
        {!canApply && csv.trim() && (
          <p className="text-sm text-slate-600">
            {result?.dryRun && result.errors.length > 0 && previewed === csv
              ? t('fixErrorsFirst')
              : t('previewFirst')}
          </p>
        )}
      </div>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-900">
          {error}
        </p>
      )}
      {result && <ResultTables result={result} />}
    </div>
  );
}

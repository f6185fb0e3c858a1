'use client';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { useMutation } from 'urql';
import type { SyncLtiRosterMutation, SyncLtiRosterMutationVariables } from '@/lib/graphql.generated';
import { SYNC_LTI_ROSTER } from '@/lib/queries';
import type { RosterImportResult } from '@/lib/types';
import { DataTable } from './DataTable';
import { errorMessage } from './Feedback';
import { buttonClass } from './forms/fields';
import { useHydrated } from './useHydrated';

/**
 * A platform's roster from the LMS: a dry run first (the preview), then the import, which is only
 * offered right after a preview. The result is this island's own (the page shows no roster).
 */
export function LtiRosterSync({ platformId }: { platformId: string }) {
  const t = useTranslations('lti');
  const hydrated = useHydrated();
  const [result, setResult] = useState<RosterImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, sync] = useMutation<SyncLtiRosterMutation, SyncLtiRosterMutationVariables>(SYNC_LTI_ROSTER);
  const run = async (dryRun: boolean) => {
    setError(null);
    const res = await sync({ platformId, dryRun });
    if (res.error) return setError(errorMessage(res.error));
    setResult(res.data?.syncLtiRoster ?? null);
  };
  const title =
    result &&
    t(result.dryRun ? 'previewTitle' : 'appliedTitle', {
      created: result.created,
      updated: result.updated,
      unchanged: result.unchanged,
    });
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className={buttonClass.secondary}
          disabled={!hydrated || state.fetching}
          onClick={() => run(true)}
        >
          {t('preview')}
        </button>
        <button
          type="button"
          className={buttonClass.primary}
          disabled={!hydrated || state.fetching || !result?.dryRun}
          onClick={() => run(false)}
        >
          {t('apply')}
        </button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
      {result && title && (
        <div data-testid="lti-roster-result">
          <p className="font-medium">{title}</p>
          <DataTable label={title} tableClassName="mt-1 w-full text-left text-sm">
            <thead>
              <tr className="border-b border-slate-300">
                {(['action', 'email', 'name', 'studentId', 'namespace'] as const).map((k) => (
                  <th key={k} scope="col" className="py-1 pr-4">
                    {t(k)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.changes.map((c) => (
                <tr key={c.line} className="border-b border-slate-200">
                  <td className="py-1 pr-4">{c.action}</td>
                  <td className="py-1 pr-4">{c.email}</td>
                  <td className="py-1 pr-4">{c.name}</td>
                  <td className="py-1 pr-4">{c.studentId ?? '—'}</td>
                  <td className="py-1 pr-4 font-mono">{c.namespace}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          {result.errors.length > 0 && (
            <div className="mt-2 text-sm text-red-900">
              <p className="font-medium">{t('errors')}</p>
              <ul className="list-disc pl-5">
                {result.errors.map((e) => (
                  <li key={e.line}>
                    {e.line}: {e.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

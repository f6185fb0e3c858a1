'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useMutation } from 'urql';
import type { ApplyRegradePreviewMutation } from '@/lib/graphql.generated';
import { APPLY_REGRADE_PREVIEW } from '@/lib/queries';
import { errorMessage } from './Feedback';
import { buttonClass } from './forms/fields';

/**
 * Applies a finished preview (never lowering a score unless unticked) with a reason for the audit
 * log, then renders the page again. It stays mounted once `applied`, so the result line stays too.
 */
export function RegradeApplyForm({
  previewId,
  applied,
  pending,
}: {
  previewId: string;
  applied: boolean;
  pending: number;
}) {
  const t = useTranslations('regrade');
  const router = useRouter();
  const [neverLower, setNeverLower] = useState(true);
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [state, apply] = useMutation<ApplyRegradePreviewMutation>(APPLY_REGRADE_PREVIEW);
  return (
    <>
      {!applied && (
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={async (e) => {
            e.preventDefault();
            setResult(null);
            const res = await apply({ id: previewId, neverLower, reason });
            if (res.error) setResult({ ok: false, text: errorMessage(res.error) });
            else {
              setResult({
                ok: true,
                text: t('appliedResult', {
                  applied: res.data!.applyRegradePreview.applied,
                  skipped: res.data!.applyRegradePreview.skippedLower,
                }),
              });
              router.refresh();
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
          <button type="submit" disabled={state.fetching || pending > 0} className={buttonClass.primary}>
            {t('apply')}
          </button>
        </form>
      )}
      {result && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'text-green-900' : 'text-red-900'}>
          {result.text}
        </p>
      )}
    </>
  );
}

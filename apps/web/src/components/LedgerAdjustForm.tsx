'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useMutation } from 'urql';
import { ADJUST_SCORE } from '@/lib/queries';
import { errorMessage } from './Feedback';

/** Staff: a manual adjustment with its reason; the ledger is rendered again after it. */
export function LedgerAdjustForm({ labId, enrollmentId }: { labId: string; enrollmentId: string }) {
  const t = useTranslations('ledger');
  const router = useRouter();
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
          router.refresh();
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

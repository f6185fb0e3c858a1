'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useMutation } from 'urql';
import { pick } from '@/i18n/locales';
import { SET_CHECK_POINTS } from '@/lib/queries';
import type { Lab } from '@/lib/types';
import { errorMessage } from './Feedback';
import { buttonClass } from './forms/fields';

/** Points per check: each changed one is saved (a new lab version), then the page renders again. */
export function RegradePoints({ lab }: { lab: Lab }) {
  const t = useTranslations('regrade');
  const locale = useLocale();
  const router = useRouter();
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
        router.refresh();
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

'use client';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ApiError, forgetCsrfToken, postJson } from '@/lib/api';
import type { User } from '@/lib/types';
import { buttonClass, TextField } from '@/components/forms/fields';
import { useHydrated } from '@/components/useHydrated';

const MIN_LENGTH = 8;

/** The form that sets a new student's password with the one-time `token` from their link. */
export function SetPasswordForm({ token }: { token: string }) {
  const t = useTranslations('setPassword');
  // Uncontrolled fields, read on submit, and a button that waits for hydration (as on /login).
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password') ?? '');
    const confirm = String(form.get('confirm') ?? '');
    if (password.length < MIN_LENGTH) return setError(t('tooShort', { min: MIN_LENGTH }));
    if (password !== confirm) return setError(t('mismatch'));
    setBusy(true);
    setError(null);
    try {
      await postJson<{ user: User }>('/auth/set-password', { token, password });
      forgetCsrfToken();
      window.location.assign('/');
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 400
          ? t('rejected', { reason: err.message })
          : t('failed', { reason: String(err instanceof Error ? err.message : err) }),
      );
      setBusy(false);
    }
  }

  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <p className="mt-2 text-slate-700">{t('intro')}</p>
      <form onSubmit={submit} className="mt-6 space-y-4" noValidate>
        <TextField
          id="new-password"
          name="password"
          label={t('password')}
          type="password"
          autoComplete="new-password"
          hint={t('tooShort', { min: MIN_LENGTH })}
        />
        <TextField
          id="confirm-password"
          name="confirm"
          label={t('confirm')}
          type="password"
          autoComplete="new-password"
        />
        {error && (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-900">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !hydrated} className={`${buttonClass.primary} w-full`}>
          {t('submit')}
        </button>
      </form>
    </div>
  );
}

'use client';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { ApiError, forgetCsrfToken, postJson } from '@/lib/api';
import type { User } from '@/lib/types';
import { buttonClass, TextField } from '@/components/forms/fields';
import { useHydrated } from '@/components/useHydrated';

/**
 * The sign-in form. `next` is where to go afterwards (a same-site path, checked by the page);
 * `oidc` says whether the api offers SSO.
 */
export function LoginForm({ next, oidc }: { next: string; oidc: boolean }) {
  const t = useTranslations('login');
  // The fields are uncontrolled: what is typed (or filled by a password manager) before the page
  // hydrates is kept, and submit reads it from the form; the button waits for hydration.
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    if (!email || !password) {
      setError(t('missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await postJson<{ user: User }>('/auth/login', { email, password });
      forgetCsrfToken();
      // A full load starts the signed-in app with a clean cache and a socket on the new session.
      window.location.assign(next);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_CREDENTIALS') setError(t('invalidCredentials'));
      else if (err instanceof ApiError && err.status === 429) setError(t('rateLimited'));
      else setError(t('failed', { reason: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    }
  }

  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <form onSubmit={submit} className="mt-6 space-y-4" noValidate>
        <TextField id="email" name="email" label={t('email')} type="email" autoComplete="username" required />
        <TextField
          id="password"
          name="password"
          label={t('password')}
          type="password"
          autoComplete="current-password"
          required
        />
        {error && (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-900">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !hydrated} className={`${buttonClass.primary} w-full`}>
          {busy ? t('submitting') : t('submit')}
        </button>
      </form>
      {oidc && (
        <>
          <p className="my-4 text-center text-sm text-slate-600">{t('or')}</p>
          <a
            href={`/auth/oidc/login?next=${encodeURIComponent(next)}`}
            className={`${buttonClass.secondary} w-full`}
          >
            {t('sso')}
          </a>
        </>
      )}
    </div>
  );
}

/** Email + password sign-in (and single sign-on when the api has an OIDC provider). */

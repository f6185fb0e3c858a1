'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { localeCookie, locales, type Locale } from '@/i18n/locales';
import { useHydrated } from './useHydrated';

const LABELS: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' };

/** Switches the UI language; the choice is remembered in a cookie for a year. */
export function LanguageSwitch() {
  const t = useTranslations('common');
  const current = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  // Before hydration a click would do nothing, so the buttons wait for it.
  const hydrated = useHydrated();

  function choose(locale: Locale) {
    document.cookie = `${localeCookie}=${locale}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = locale;
    // Re-renders the server layout with the new messages; client state (runs, tables) is kept.
    startTransition(() => router.refresh());
  }

  return (
    <div
      role="group"
      aria-label={t('language')}
      className="inline-flex overflow-hidden rounded-md border border-slate-300 bg-white"
    >
      {locales.map((locale) => (
        <button
          key={locale}
          type="button"
          lang={locale}
          aria-pressed={current === locale}
          disabled={pending || !hydrated}
          onClick={() => choose(locale)}
          className={`px-3 py-1.5 text-sm font-medium ${
            current === locale ? 'bg-slate-800 text-white' : 'text-slate-700 hover:bg-slate-100'
          }`}
        >
          {LABELS[locale]}
        </button>
      ))}
    </div>
  );
}

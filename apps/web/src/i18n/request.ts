import { getRequestConfig } from 'next-intl/server';
import { cookies, headers } from 'next/headers';
import { asLocale, defaultLocale, localeCookie, localeFromAcceptLanguage, type Locale } from './locales';

// The language switch writes a cookie; without one we follow the browser's preference.
export default getRequestConfig(async () => {
  const cookieStore = await cookies();
  const headerStore = await headers();
  const locale: Locale =
    asLocale(cookieStore.get(localeCookie)?.value) ??
    localeFromAcceptLanguage(headerStore.get('accept-language')) ??
    defaultLocale;
  const messages = (await import(`../../messages/${locale}.json`)) as { default: Record<string, unknown> };
  // Dates are formatted in client components with the viewer's own time zone; this only keeps
  // next-intl from warning about server-side formatting it never does.
  return { locale, messages: messages.default, timeZone: 'UTC' };
});

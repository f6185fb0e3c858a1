/** The UI languages; check titles and hints come from the API in both. */
export const locales = ['zh-CN', 'en'] as const;

/** One of the supported UI languages. */
export type Locale = (typeof locales)[number];

/** Used when neither the cookie nor the browser's Accept-Language picks one. */
export const defaultLocale: Locale = 'en';

/** The cookie the language switch writes (next-intl's conventional name). */
export const localeCookie = 'NEXT_LOCALE';

/** Narrows an arbitrary string to a supported locale, or undefined. */
export function asLocale(value: string | undefined | null): Locale | undefined {
  return locales.find((l) => l === value);
}

/** Picks a locale from an Accept-Language header: any zh variant means zh-CN. */
export function localeFromAcceptLanguage(header: string | null): Locale | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return undefined;
}

/** Picks which language of a bilingual API text to show. */
export function pick(text: { zh: string; en: string } | null | undefined, locale: string): string {
  if (!text) return '';
  return locale === 'zh-CN' ? text.zh : text.en;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localeFromAcceptLanguage, pick } from './locales';

type Tree = { [key: string]: string | Tree };

function load(locale: string): Tree {
  return JSON.parse(readFileSync(new URL(`../../messages/${locale}.json`, import.meta.url), 'utf8')) as Tree;
}

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`),
  );
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)/g)].map((m) => m[1] ?? '').sort();
}

describe('messages', () => {
  const en = load('en');
  const zh = load('zh-CN');

  it('has every English text in Chinese too, with the same placeholders', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
    const lookup = (tree: Tree, key: string) =>
      key.split('.').reduce<string | Tree>((node, k) => (node as Tree)[k] as string | Tree, tree) as string;
    for (const key of keys(en)) {
      expect([key, placeholders(lookup(zh, key))]).toEqual([key, placeholders(lookup(en, key))]);
    }
  });
});

describe('locale choice', () => {
  it('follows the browser for Chinese and English, else leaves it to the default', () => {
    expect(localeFromAcceptLanguage('zh-TW,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('en-GB,en;q=0.9')).toBe('en');
    expect(localeFromAcceptLanguage('fr-FR')).toBeUndefined();
    expect(localeFromAcceptLanguage(null)).toBeUndefined();
  });

  it('picks the API text in the viewer language', () => {
    expect(pick({ zh: '无头服务', en: 'headless Service' }, 'zh-CN')).toBe('无头服务');
    expect(pick({ zh: '无头服务', en: 'headless Service' }, 'en')).toBe('headless Service');
  });
});

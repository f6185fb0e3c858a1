// Small helpers shared by the specs: signing in, switching language, saving screenshots.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import type { Account } from './stack-info.ts';

const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Saves a full-page screenshot to e2e/screenshots/<name>.png (gitignored) for people to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** Picks the UI language with the switch in the header. */
export async function chooseLanguage(page: Page, language: 'zh-CN' | 'en'): Promise<void> {
  const label = language === 'zh-CN' ? '中文' : 'English';
  const button = page.getByRole('button', { name: label, exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).toHaveAttribute('lang', language);
}

/** Signs in through the login form and waits for the signed-in header. */
export async function signIn(page: Page, account: Account, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').fill(account.email);
  await page.locator('#password').fill(account.password);
  await page.locator('form button[type=submit]').click();
  await expect(page).not.toHaveURL(/\/login/);
  // The header's sign-out button appears once the app knows who is signed in (in either language).
  await expect(page.getByRole('button', { name: /^(Sign out|退出登录)$/ })).toBeVisible();
}

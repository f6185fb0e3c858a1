// Students grade their own namespace and watch the checks live, in either language.
import { expect, test, type Page } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

/** Records every status each check shows, so a test can tell live progress from a final reload. */
async function recordCheckStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __seen: Record<string, string[]>; __noReload: boolean };
    w.__seen = {};
    w.__noReload = true;
    const note = () => {
      for (const el of document.querySelectorAll<HTMLElement>('li[data-check]')) {
        const id = el.dataset.check ?? '';
        const list = (w.__seen[id] ??= []);
        if (list[list.length - 1] !== el.dataset.status) list.push(el.dataset.status ?? '');
      }
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    note();
  });
}

async function seenStatuses(page: Page): Promise<{ seen: Record<string, string[]>; noReload: boolean }> {
  return page.evaluate(() => {
    const w = window as unknown as { __seen?: Record<string, string[]>; __noReload?: boolean };
    return { seen: w.__seen ?? {}, noReload: w.__noReload === true };
  });
}

test('a student grades a correct namespace and watches every check pass live', async ({ page }) => {
  const stack = stackInfo();
  await signIn(page, stack.correctStudent, '/labs');
  await chooseLanguage(page, 'en');
  const card = page.locator(`section[data-lab="${stack.labId}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByText(stack.correctStudent.namespace ?? '', { exact: true })).toBeVisible();
  await shot(page, 'student-labs');

  await recordCheckStatuses(page);
  await card.getByTestId('grade-button').click();
  await expect(card.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'PASSED', {
    timeout: 150_000,
  });

  const checks = card.locator('li[data-check]');
  const ids = await checks.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.check ?? ''));
  expect(ids).toEqual(['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns', 'redis-persistence']);
  for (const id of ids)
    await expect(card.locator(`li[data-check="${id}"]`)).toHaveAttribute('data-status', 'PASS');
  await expect(card.getByTestId('run-score')).toHaveText('100 / 100');

  // Every check was on screen as not-yet-passed before it passed, on the same page (no reload).
  const { seen, noReload } = await seenStatuses(page);
  expect(noReload).toBe(true);
  for (const id of ids) {
    const statuses = seen[id] ?? [];
    expect(statuses.at(-1), `${id}: ${statuses.join(' -> ')}`).toBe('PASS');
    expect(
      statuses.length,
      `${id} should have been shown before it passed: ${statuses.join(' -> ')}`,
    ).toBeGreaterThan(1);
  }
  await shot(page, 'student-run-passed');
});

test('a second grade right away shows the cooldown counting down', async ({ page }) => {
  const stack = stackInfo();
  await signIn(page, stack.correctStudent, '/labs');
  await chooseLanguage(page, 'en');
  const card = page.locator(`section[data-lab="${stack.labId}"]`);
  const button = card.getByTestId('grade-button');
  await expect(button).toHaveText('Grade');
  await button.click();

  const countdown = card.getByTestId('cooldown');
  await expect(countdown).toBeVisible({ timeout: 150_000 });
  await expect(button).toBeDisabled();
  await expect(button).toHaveText(/Grade again in \d+:\d\d/);
  const first = await countdown.textContent();
  await expect
    .poll(() => countdown.textContent(), { message: 'the countdown ticks down', timeout: 10_000 })
    .not.toBe(first);
  await shot(page, 'student-cooldown');
});

test('a serviceName mismatch fails the DNS check with the hint in Chinese, then in English', async ({
  page,
}) => {
  const stack = stackInfo();
  await signIn(page, stack.mismatchStudent, '/labs');
  await chooseLanguage(page, 'zh-CN');
  const card = page.locator(`section[data-lab="${stack.labId}"]`);
  await card.getByTestId('grade-button').click();
  await expect(card.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'FAILED', {
    timeout: 150_000,
  });

  const dns = card.locator('li[data-check="headless-dns"]');
  await expect(dns).toHaveAttribute('data-status', 'FAIL');
  await expect(dns.getByText('未通过', { exact: true })).toBeVisible();
  await expect(dns.getByTestId('hint')).toContainText('StatefulSet 的 spec.serviceName 不一致');
  await expect(dns.getByTestId('hint')).toContainText('教程第七部分 3.1 自己就写错了');

  // The failure opens into what was expected and what was found.
  await dns.locator('summary').click();
  const evidence = dns.locator('table');
  await expect(evidence.getByRole('columnheader', { name: '期望' })).toBeVisible();
  await expect(evidence.getByRole('columnheader', { name: '实际' })).toBeVisible();
  await expect(evidence).toContainText('redis-exist-pvc');
  await shot(page, 'student-dns-fail-zh');

  await chooseLanguage(page, 'en');
  await expect(dns.getByTestId('hint')).toContainText(
    "The headless Service's name differs from the StatefulSet's spec.serviceName",
  );
  await expect(dns.getByText('Fail', { exact: true })).toBeVisible();
  await expect(evidence.getByRole('columnheader', { name: 'Expected' })).toBeVisible();
  await shot(page, 'student-dns-fail-en');
});

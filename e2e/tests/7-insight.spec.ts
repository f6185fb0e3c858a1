// Class insight of the demo class: the seeded serviceName mismatch shows up as one student failing
// headless-dns with that hint, live as the student's run finishes; the instructor drills into the
// student, and the CSV has the same line.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

test('class insight counts the seeded mistake, live, with the student one click away and the same CSV', async ({
  browser,
}) => {
  const stack = stackInfo();
  const student = stack.mismatchStudent;

  const ip = await browser.newPage();
  await signIn(ip, stack.instructor, `/labs/${stack.labId}/insight`);
  await chooseLanguage(ip, 'en');
  await expect(ip.getByRole('heading', { name: 'What the class gets wrong' })).toBeVisible();
  await ip.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  // The student with the mismatched Service grades while the instructor watches.
  const sp = await browser.newPage();
  await signIn(sp, student, '/labs');
  const card = sp.locator(`section[data-lab="${stack.labId}"]`);
  await card.getByTestId('grade-button').click();
  await expect(card.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'FAILED', {
    timeout: 150_000,
  });
  await sp.close();

  // Every other demo student is correct: exactly one student fails headless-dns, with that hint.
  const row = ip
    .getByTestId('failures')
    .locator('tr[data-check="headless-dns"][data-hint="service-name-mismatch"]');
  await expect(row.getByTestId('failure-count')).toHaveText('1 — show students', { timeout: 30_000 });
  await expect(ip.getByTestId('failures').locator('tbody tr')).toHaveCount(1);
  expect(await ip.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await expect(ip.getByTestId('by-day').locator('tbody tr')).not.toHaveCount(0);
  await shot(ip, 'insight');

  // The CSV has the same line.
  const [download] = await Promise.all([ip.waitForEvent('download'), ip.getByTestId('insight-csv').click()]);
  const lines = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(lines.filter((l) => l.startsWith('failure,'))).toEqual([
    `failure,headless-dns,service-name-mismatch,1,${student.namespace},,,,`,
  ]);

  // The stuck threshold is the URL's: a reload (or a shared link) keeps it, and the CSV follows it.
  const stuckRuns = ip.getByLabel(/Same failing hint on the last N graded runs/);
  await expect(stuckRuns).toHaveValue('3');
  await stuckRuns.fill('5');
  await expect(ip).toHaveURL(/[?&]stuckRuns=5(&|$)/);
  await expect(ip.getByTestId('insight-csv')).toHaveAttribute('href', /[?&]stuckRuns=5$/);
  await ip.reload();
  await expect(stuckRuns).toHaveValue('5');
  await expect(ip.getByTestId('insight-csv')).toHaveAttribute('href', /[?&]stuckRuns=5$/);
  await expect(row.getByTestId('failure-count')).toHaveText('1 — show students');
  await stuckRuns.fill('3');
  await expect(ip).not.toHaveURL(/stuckRuns=/);

  // Chinese too.
  await chooseLanguage(ip, 'zh-CN');
  await expect(ip.getByRole('heading', { name: '全班常见错误' })).toBeVisible();
  await chooseLanguage(ip, 'en');

  // Drill in: the student behind the count, then their ledger.
  await row.getByTestId('failure-count').click();
  const link = row.getByTestId('failure-students').getByRole('link', { name: student.name });
  await expect(link).toBeVisible();
  await link.click();
  await expect(ip).toHaveURL(/\/ledger\?enrollment=/);
  await expect(ip.getByText(student.namespace!, { exact: true })).toBeVisible();
  await ip.close();
});

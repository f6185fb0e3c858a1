// The instructor's live scoreboard: live cells, filters, CSV export and a non-disruptive regrade.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

test('the scoreboard follows a student run live, filters, exports CSV and regrades everyone non-disruptively', async ({
  browser,
}) => {
  const stack = stackInfo();
  const instructor = await browser.newPage();
  await signIn(instructor, stack.instructor, `/labs/${stack.labId}/scoreboard`);
  await chooseLanguage(instructor, 'en');
  const table = instructor.getByTestId('scoreboard-table');
  await expect(table).toBeVisible();
  const liveRow = table.locator(`tr[data-namespace="${stack.liveStudent.namespace}"]`);
  await expect(liveRow).toBeVisible();
  await expect(liveRow.locator('[data-check="headless-dns"]')).toHaveAttribute('data-status', 'PENDING');
  await instructor.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await shot(instructor, 'scoreboard-before');

  // A student grades in their own browser while the instructor watches.
  const student = await browser.newPage();
  await signIn(student, stack.liveStudent, '/labs');
  await student.locator(`section[data-lab="${stack.labId}"]`).getByTestId('grade-button').click();

  for (const id of ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns', 'redis-persistence']) {
    await expect(liveRow.locator(`[data-check="${id}"]`)).toHaveAttribute('data-status', 'PASS', {
      timeout: 150_000,
    });
  }
  await expect(liveRow.getByTestId('total')).toContainText('100 / 100');
  await expect(instructor.getByTestId('live-summary')).toContainText(stack.liveStudent.name);
  expect(await instructor.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(
    true,
  );
  await shot(instructor, 'scoreboard-live');
  await student.close();

  // Only failing students.
  await instructor.getByLabel('Status').selectOption('FAIL');
  // The passing live row leaves first: until the filtered answer is on screen the old rows stay.
  await expect(liveRow).toHaveCount(0);
  const mismatchRow = table.locator(`tr[data-namespace="${stack.mismatchStudent.namespace}"]`);
  await expect(mismatchRow).toBeVisible();
  await expect(table.locator(`tr[data-namespace="${stack.correctStudent.namespace}"]`)).toHaveCount(0);
  for (const row of await table.locator('tbody tr').all()) {
    await expect(row.locator('[data-check][data-status="FAIL"]').first()).toBeVisible();
  }
  await shot(instructor, 'scoreboard-failing');

  // The filter is the page's URL: a shared link opens the same failing students, also for someone
  // who has to sign in first.
  await expect(instructor).toHaveURL(/[?&]status=FAIL(&|$)/);
  const shared = await browser.newPage();
  await shared.goto(instructor.url());
  await expect(shared).toHaveURL(/\/login\?next=/);
  await shared.locator('#email').fill(stack.instructor.email);
  await shared.locator('#password').fill(stack.instructor.password);
  await shared.locator('form button[type=submit]').click();
  await expect(shared).toHaveURL(/\/scoreboard\?(.*&)?status=FAIL(&|$)/);
  await chooseLanguage(shared, 'en');
  await expect(shared.getByLabel('Status')).toHaveValue('FAIL');
  const sharedTable = shared.getByTestId('scoreboard-table');
  await expect(sharedTable.locator(`tr[data-namespace="${stack.mismatchStudent.namespace}"]`)).toBeVisible();
  await expect(sharedTable.locator(`tr[data-namespace="${stack.liveStudent.namespace}"]`)).toHaveCount(0);
  await expect(sharedTable.locator('tbody tr')).toHaveCount(await table.locator('tbody tr').count());
  await shared.close();

  // The export carries the same filter: a CSV of the failing students only.
  const [download] = await Promise.all([
    instructor.waitForEvent('download'),
    instructor.getByTestId('export-csv').click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(csv[0]?.startsWith('email,name,student_id,namespace,')).toBe(true);
  expect(csv[0]).toContain('headless-dns');
  const body = csv.slice(1);
  expect(body.some((line) => line.includes(stack.mismatchStudent.email))).toBe(true);
  expect(body.some((line) => line.includes(stack.liveStudent.email))).toBe(false);
  expect(body.length).toBe(await table.locator('tbody tr').count());

  // Regrade everyone without restarting pods.
  await instructor.getByRole('button', { name: 'Clear filters' }).click();
  await expect(liveRow).toBeVisible();
  await expect(instructor.getByLabel('Non-disruptive')).toBeChecked();
  await instructor.getByRole('button', { name: 'Regrade everyone' }).click();
  const dialog = instructor.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('the pod-delete check is skipped, so no student pods are restarted');
  await shot(instructor, 'scoreboard-regrade-confirm');
  await dialog.getByRole('button', { name: 'Regrade everyone' }).click();
  await expect(dialog).toBeHidden();
  await expect(instructor.getByRole('status').filter({ hasText: /Queued \d+ runs?/ })).toBeVisible();

  // The table refreshes by itself: the pod-delete check is now skipped for the live student.
  await expect(liveRow.locator('[data-check="redis-persistence"]')).toHaveAttribute(
    'data-status',
    'SKIPPED',
    { timeout: 150_000 },
  );
  await expect(liveRow.locator('[data-check="headless-dns"]')).toHaveAttribute('data-status', 'PASS');
  await expect(
    table.locator(`tr[data-namespace="${stack.mismatchStudent.namespace}"] [data-check="headless-dns"]`),
  ).toHaveAttribute('data-status', 'FAIL');
  expect(await instructor.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(
    true,
  );
  await shot(instructor, 'scoreboard-after-regrade');

  // A row leads to the student's latest run with its evidence and history.
  await mismatchRowLink(instructor, stack.mismatchStudent.name).click();
  await expect(instructor.locator('li[data-check="headless-dns"]')).toHaveAttribute('data-status', 'FAIL');
  await expect(instructor.locator('li[data-check="headless-dns"] table')).toBeVisible();
  await expect(instructor.getByRole('heading', { name: 'Run history' })).toBeVisible();
  await shot(instructor, 'run-report');
  await instructor.close();
});

function mismatchRowLink(page: import('@playwright/test').Page, name: string) {
  return page.getByTestId('scoreboard-table').getByRole('link', { name, exact: true });
}

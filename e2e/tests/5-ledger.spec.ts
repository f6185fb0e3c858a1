// Deadlines and the score ledger: the instructor sets a due date in the past with a late step, the
// student's ledger shows the deduction and the counted run, and the CSV export has the same final
// score and counted run as the ledger.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

/** A datetime-local value in the browser's zone for `d`. */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

test('a due date in the past with a late step: the ledger shows the deduction and the counted run, and the CSV agrees', async ({
  browser,
}) => {
  const stack = stackInfo();
  // Not correctStudent: 1-student spent its grades (burst 2, then one per 2 minutes).
  const student = stack.ledgerStudent;

  // The student grades a correct namespace (100 points).
  const sp = await browser.newPage();
  await signIn(sp, student, '/labs');
  await chooseLanguage(sp, 'en');
  const card = sp.locator(`section[data-lab="${stack.labId}"]`);
  await card.getByTestId('grade-button').click();
  await expect(card.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'PASSED', {
    timeout: 150_000,
  });

  // The instructor makes the lab due 25 hours ago: -10% per started day, at least 50% kept, best run counts.
  const ip = await browser.newPage();
  await signIn(ip, stack.instructor, `/labs/${stack.labId}/settings`);
  await chooseLanguage(ip, 'en');
  await expect(ip.getByText(/course's time zone is UTC/i)).toBeVisible();
  await ip.getByLabel('Due', { exact: true }).fill(localInput(new Date(Date.now() - 25 * 3_600_000)));
  await ip.getByLabel(/Late deduction per step/).fill('10');
  await ip.getByLabel('Step length (hours)').fill('24');
  await ip.getByLabel(/Floor/).fill('50');
  await ip.getByLabel('Which run counts').selectOption('BEST');
  await ip.getByRole('button', { name: 'Save' }).click();
  await expect(ip.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await shot(ip, 'lab-settings');

  // The student's own ledger: every run was 25 h late, 2 started days, -20%: 100 -> 80.
  await sp.goto(`/labs/${stack.labId}/ledger`);
  await expect(sp.getByTestId('ledger-final')).toHaveText('80 / 100');
  await expect(sp.getByTestId('ledger-late')).toHaveText('2 late step(s): −20%');
  await expect(sp.getByTestId('ledger-policy')).toHaveText('Best run (after late deductions)');
  const counted = sp.getByTestId('ledger-counted');
  await expect(counted).toContainText('counts because it is your best score after late deductions');
  const runHref = await counted.getByRole('link').getAttribute('href');
  const countedRunId = decodeURIComponent(runHref!.split('/').pop()!);
  await expect(sp.getByTestId('ledger-runs').locator('tr[data-counted="true"]')).toHaveCount(1);
  await shot(sp, 'ledger-student');

  // Chinese too.
  await chooseLanguage(sp, 'zh-CN');
  await expect(sp.getByTestId('ledger-late')).toHaveText('迟交 2 个时段：−20%');
  await chooseLanguage(sp, 'en');
  await sp.close();

  // The scoreboard's total and the CSV show the same final score and counted run as the ledger.
  await ip.goto(`/labs/${stack.labId}/scoreboard`);
  const row = ip.getByTestId('scoreboard-table').locator(`tr[data-namespace="${student.namespace}"]`);
  await expect(row.getByTestId('total')).toContainText('80 / 100');
  const [download] = await Promise.all([ip.waitForEvent('download'), ip.getByTestId('export-csv').click()]);
  const lines = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split(/\r?\n/);
  const header = lines[0]!.split(',');
  const line = lines.find((l) => l.split(',')[header.indexOf('namespace')] === student.namespace)!.split(',');
  expect({
    final: line[header.indexOf('final_score')],
    run: line[header.indexOf('counted_run_id')],
    late: line[header.indexOf('late_deduction_percent')],
  }).toEqual({ final: '80', run: countedRunId, late: '20' });

  // The instructor drills into the same ledger from the scoreboard's total.
  await row.getByTestId('total').getByRole('link').click();
  await expect(ip.getByTestId('ledger-final')).toHaveText('80 / 100');
  await shot(ip, 'ledger-instructor');

  // The student is the URL's: a reload keeps them and the picker shows them; choosing in the picker
  // writes the URL, and Back goes to the choice before.
  await expect(ip).toHaveURL(/\/ledger\?enrollment=/);
  const enrollmentId = new URL(ip.url()).searchParams.get('enrollment')!;
  const picker = ip.getByTestId('ledger-student');
  await ip.reload();
  await expect(ip.getByTestId('ledger-final')).toHaveText('80 / 100');
  await expect(picker).toHaveValue(enrollmentId);
  await expect(picker).toHaveAccessibleName(/^Student\b/);
  await picker.selectOption('');
  await expect(ip.getByText('Choose a student to see their ledger.')).toBeVisible();
  await expect(ip).not.toHaveURL(/enrollment=/);
  await picker.selectOption(enrollmentId);
  await expect(ip).toHaveURL(new RegExp(`[?&]enrollment=${encodeURIComponent(enrollmentId)}(&|$)`));
  await expect(ip.getByTestId('ledger-final')).toHaveText('80 / 100');
  await ip.goBack();
  await expect(ip.getByText('Choose a student to see their ledger.')).toBeVisible();
  await expect(picker).toHaveValue('');

  // Without late steps the lab closes at the due date: the student's card says new runs are
  // practice, and the ledger marks the runs as practice (none counts).
  await ip.goto(`/labs/${stack.labId}/settings`);
  await ip.getByLabel(/Late deduction per step/).fill('');
  await ip.getByRole('button', { name: 'Save' }).click();
  await expect(ip.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  const sp2 = await browser.newPage();
  await signIn(sp2, student, '/labs');
  await chooseLanguage(sp2, 'en');
  const card2 = sp2.locator(`section[data-lab="${stack.labId}"]`);
  await expect(card2.getByTestId('practice-note')).toHaveText(/new runs are practice/);
  await expect(card2.getByTestId('deadline-note')).toContainText('the course states its dates in UTC');
  await sp2.goto(`/labs/${stack.labId}/ledger`);
  await expect(sp2.getByTestId('ledger-runs').locator('tbody tr').first()).toContainText('practice');
  await expect(sp2.getByTestId('ledger-final')).toHaveText('— / 100');
  await sp2.close();

  // Leave the lab without a schedule for the specs that follow.
  await ip.goto(`/labs/${stack.labId}/settings`);
  await ip.getByLabel('Due', { exact: true }).fill('');
  await ip.getByLabel(/Late deduction per step/).fill('');
  await ip.getByLabel('Which run counts').selectOption('LAST');
  await ip.getByRole('button', { name: 'Save' }).click();
  await expect(ip.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await ip.close();
});

test('an extension set on the settings page is listed with its reason after a reload, and can be removed', async ({
  page,
}) => {
  const stack = stackInfo();
  const student = stack.ledgerStudent;
  await signIn(page, stack.instructor, `/labs/${stack.labId}/settings`);
  await chooseLanguage(page, 'en');
  await expect(page.getByText('No extensions.')).toBeVisible();
  await page
    .getByLabel('Student', { exact: true })
    .selectOption({ label: `${student.name} (${student.namespace!})` });
  await page.getByLabel('New due date').fill(localInput(new Date(Date.now() + 48 * 3_600_000)));
  await page.getByLabel('Reason').fill('illness, note from the doctor');
  await page.getByRole('button', { name: 'Set extension' }).click();
  const row = page.getByTestId('extensions').getByRole('row', { name: new RegExp(student.name) });
  await expect(row).toContainText('illness, note from the doctor');
  await expect(row).toContainText(student.namespace!);
  // The reason is cleared for the next one; the list is the server's, so a reload shows the same.
  await expect(page.getByLabel('Reason')).toHaveValue('');
  await page.reload();
  await expect(row).toContainText('illness, note from the doctor');
  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByText('No extensions.')).toBeVisible();
  await expect(page.getByTestId('extensions')).toHaveCount(0);
});

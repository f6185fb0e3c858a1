// Regrade with a preview: after the instructor lowers a check's points, a dry run of everyone shows
// who goes down without recording anything; applying it with "never lower" keeps their scores, and
// the audit log has the reason.
import { expect, test } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

test('preview a regrade of a selected student after editing a lab’s points, apply it with never-lower, and find the reason in the audit log', async ({
  browser,
}) => {
  const stack = stackInfo();
  const student = stack.correctStudent;

  // The student has a full-marks run (100).
  const sp = await browser.newPage();
  await signIn(sp, student, '/labs');
  const card = sp.locator(`section[data-lab="${stack.labId}"]`);
  await card.getByTestId('grade-button').click();
  await expect(card.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'PASSED', {
    timeout: 150_000,
  });
  await sp.close();

  // From the scoreboard: select the student and open the preview for the selection.
  const ip = await browser.newPage();
  await signIn(ip, stack.instructor, `/labs/${stack.labId}/scoreboard`);
  await chooseLanguage(ip, 'en');
  await ip.getByLabel(`Select ${student.name}`).check();
  await ip.getByTestId('preview-regrade').click();
  await expect(ip).toHaveURL(/\/regrade\?enrollments=/);
  await expect(ip.getByRole('heading', { name: 'Preview a regrade of 1 selected student(s)' })).toBeVisible();
  // pv-claimref: 15 -> 5 points.
  await ip.locator('#points-pv-claimref').fill('5');
  await ip.getByRole('button', { name: 'Save points' }).click();
  await expect(ip.getByRole('status').filter({ hasText: 'Points saved' })).toBeVisible();
  await expect(ip.getByText(/Lab version .*\+edit\d+/)).toBeVisible();

  // "Include the disruptive check" is the URL's, so a reload keeps it; the confirmation is not, so
  // the reloaded page asks for it again before a dry run may start.
  const includeDisruptive = ip.getByLabel(/Include the disruptive check/);
  await includeDisruptive.check();
  await expect(ip).toHaveURL(/[?&]disruptive=1(&|$)/);
  await ip.getByLabel('I understand: the dry run deletes pods').check();
  await ip.reload();
  await expect(includeDisruptive).toBeChecked();
  await expect(ip.getByLabel('I understand: the dry run deletes pods')).not.toBeChecked();
  await expect(ip.getByRole('button', { name: 'Start the preview' })).toBeDisabled();
  await includeDisruptive.uncheck();
  await expect(ip).not.toHaveURL(/disruptive=/);
  await expect(ip.getByLabel('I understand: the dry run deletes pods')).toHaveCount(0);

  // A dry run of the selected student, without the disruptive check: 5 + 15 + 25 + 20 = 65.
  await ip.getByRole('button', { name: 'Start the preview' }).click();
  await expect(ip).toHaveURL(/preview=/);
  // The selection stays in the URL with the preview.
  await expect(ip).toHaveURL(/[?&]enrollments=/);
  await expect(ip.getByRole('heading', { name: 'Preview a regrade of 1 selected student(s)' })).toBeVisible();
  await expect(ip.getByTestId('preview-totals')).toContainText('0 still grading', { timeout: 150_000 });
  const row = ip.getByTestId('preview-table').locator(`tr[data-namespace="${student.namespace}"]`);
  await expect(row).toHaveAttribute('data-change', 'DOWN');
  await expect(row.getByTestId('difference')).toHaveText('-35');
  await expect(ip.getByTestId('preview-table').locator('tbody tr')).toHaveCount(1);
  await expect(ip.getByText(/Grader version: \S+/)).toBeVisible();
  await shot(ip, 'regrade-preview');

  // Nothing is recorded yet: the scoreboard still shows 100.
  const sb = await browser.newPage();
  await signIn(sb, stack.instructor, `/labs/${stack.labId}/scoreboard`);
  const sbRow = sb.getByTestId('scoreboard-table').locator(`tr[data-namespace="${student.namespace}"]`);
  await expect(sbRow.getByTestId('total')).toContainText('100 /');

  // Apply, never lowering a score.
  await expect(ip.getByLabel('Never lower a score')).toBeChecked();
  await ip.getByLabel(/Reason/).fill('pv-claimref is worth 5 points now');
  await ip.getByRole('button', { name: 'Apply the regrade' }).click();
  await expect(
    ip.getByRole('status').filter({ hasText: /Applied: \d+ run\(s\) written, [1-9]\d* left out/ }),
  ).toBeVisible();
  await expect(ip.getByTestId('applied')).toContainText('pv-claimref is worth 5 points now');
  await sb.reload();
  await expect(sbRow.getByTestId('total')).toContainText('100 /');
  await sb.close();

  // The audit log (admins) has the apply with its reason.
  const ap = await browser.newPage();
  await signIn(ap, stack.admin, '/');
  const { token } = (await (await ap.request.get('/auth/csrf')).json()) as { token: string };
  const res = await ap.request.post('/graphql', {
    headers: { 'x-csrf-token': token, 'content-type': 'application/json' },
    data: { query: '{ auditLog(first: 50) { action reason after } }' },
  });
  const log = (
    (await res.json()) as {
      data: { auditLog: { action: string; reason: string | null; after: { neverLower?: boolean } }[] };
    }
  ).data.auditLog;
  expect(log.find((e) => e.action === 'regrade.apply')).toMatchObject({
    reason: 'pv-claimref is worth 5 points now',
    after: { neverLower: true },
  });
  await ap.close();

  // Put the points back for the specs that follow.
  await ip.locator('#points-pv-claimref').fill('15');
  await ip.getByRole('button', { name: 'Save points' }).click();
  await expect(ip.getByRole('status').filter({ hasText: 'Points saved' })).toBeVisible();
  await ip.close();
});

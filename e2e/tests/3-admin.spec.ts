// Admin pages: roster preview/apply with set-password links, labs, webhooks (their delivery log;
// rotate, retire the previous secret, revoke).
import { createHmac, randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

/** Signs a body the Standard Webhooks way: HMAC-SHA256 over `${id}.${timestamp}.${body}`. */
function signStandard(secret: string, id: string, timestamp: string, body: string): string {
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice(6), 'base64')
    : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

test('a signed webhook delivery shows in the admin delivery log', async ({ page, request }) => {
  const stack = stackInfo();
  await signIn(page, stack.admin, '/admin/webhooks');
  await chooseLanguage(page, 'en');
  await page.getByLabel('Name').fill('ci-regrade');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const secretBox = page.getByTestId('webhook-secret');
  await expect(secretBox).toBeVisible();
  const url = await page.getByTestId('webhook-url').inputValue();
  const secret = await page.getByTestId('webhook-secret-value').inputValue();
  expect(url).toMatch(/\/webhooks\/regrade\/[^/]+$/);
  expect(secret.length).toBeGreaterThan(16);
  await shot(page, 'admin-webhook-created');

  const deliveryId = `e2e-${randomUUID()}`;
  const body = JSON.stringify({
    lab: stack.labId,
    namespaces: [stack.mismatchStudent.namespace],
    disruptive: false,
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await request.post(url, {
    data: body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': deliveryId,
      'webhook-timestamp': timestamp,
      'webhook-signature': signStandard(secret, deliveryId, timestamp, body),
    },
  });
  expect(res.status()).toBe(202);
  expect(((await res.json()) as { runIds: string[] }).runIds).toHaveLength(1);

  // A forged delivery is refused and logged too.
  const forged = await request.post(url, {
    data: body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': `forged-${randomUUID()}`,
      'webhook-timestamp': timestamp,
      'webhook-signature': 'v1,AAAA',
    },
  });
  expect(forged.status()).toBe(401);

  await page.getByRole('button', { name: 'I have saved the secret' }).click();
  await page.getByRole('button', { name: 'Refresh' }).click();
  const row = page.locator(`tr[data-delivery="${deliveryId}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('accepted');
  await expect(page.locator('[data-testid="deliveries"]').getByText('rejected').first()).toBeVisible();
  await shot(page, 'admin-webhooks');
});

test('a webhook secret rotates (shown once), the previous one retires, and revoking asks first', async ({
  page,
}) => {
  const stack = stackInfo();
  await signIn(page, stack.admin, '/admin/webhooks');
  await chooseLanguage(page, 'en');
  await page.getByLabel('Name').fill('ci-rotate');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const first = await page.getByTestId('webhook-secret-value').inputValue();
  await page.getByRole('button', { name: 'I have saved the secret' }).click();
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);

  const card = page.getByRole('region', { name: 'ci-rotate', exact: true });
  await expect(card).toContainText('1 secret valid');
  await card.getByRole('button', { name: 'Rotate secret' }).click();
  await expect(page.getByTestId('webhook-secret')).toBeVisible();
  const second = await page.getByTestId('webhook-secret-value').inputValue();
  expect(second).toMatch(/^whsec_/);
  expect(second).not.toBe(first);
  await expect(card).toContainText('2 secrets valid');
  await card.getByRole('button', { name: 'Retire previous secret now' }).click();
  await expect(card).toContainText('1 secret valid');
  await expect(card.getByRole('button', { name: 'Retire previous secret now' })).toHaveCount(0);

  await card.getByRole('button', { name: 'Revoke' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke “ci-rotate”?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(card).toContainText('Active');
  await card.getByRole('button', { name: 'Revoke' }).click();
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(dialog).toBeHidden();
  await expect(card).toContainText('Revoked');
  await expect(card.getByRole('button', { name: 'Rotate secret' })).toHaveCount(0);
});

test('roster import previews changes with per-line errors, then gives one-time set-password links', async ({
  page,
  browser,
}) => {
  const stack = stackInfo();
  await signIn(page, stack.admin, '/admin/roster');
  await chooseLanguage(page, 'en');
  const suffix = randomUUID().slice(0, 6);
  const email = `new.student.${suffix}@example.edu`;
  const csv = [
    'email,name,student_id,namespace',
    `${email},New Student ${suffix},E2E${suffix},e2e-${suffix}`,
    'not-an-email,Broken Line,,bad ns',
  ].join('\n');
  await page.getByLabel('Roster CSV').fill(csv);
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect(
    page.getByTestId('roster-errors').getByRole('rowheader', { name: '3', exact: true }),
  ).toBeVisible();
  await expect(page.getByTestId('roster-changes')).toContainText(email);
  await expect(page.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await shot(page, 'admin-roster-preview');

  // Fix the bad line by removing it; preview again, then apply.
  await page.getByLabel('Roster CSV').fill(csv.split('\n').slice(0, 2).join('\n'));
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect(page.getByTestId('roster-errors')).toHaveCount(0);
  await page.getByRole('button', { name: 'Apply' }).click();
  const link = page.getByLabel(`Set-password link for New Student ${suffix}`);
  await expect(link).toBeVisible();
  const setPasswordUrl = await link.inputValue();
  expect(setPasswordUrl).toContain('/set-password?token=');
  await shot(page, 'admin-roster-applied');

  // The new student follows the link, sets a password and lands on their labs.
  const newcomer = await browser.newPage();
  const target = new URL(setPasswordUrl);
  await newcomer.goto(`${target.pathname}${target.search}`);
  await chooseLanguage(newcomer, 'en');
  await shot(newcomer, 'set-password');
  await newcomer.getByLabel('New password').fill('correct horse battery');
  await newcomer.getByLabel('Repeat the password').fill('correct horse battery');
  await newcomer.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(newcomer.getByRole('heading', { name: 'My labs' })).toBeVisible();
  await newcomer.close();
});

test('admin labs page switches the disruptive checks off and on', async ({ page }) => {
  const stack = stackInfo();
  await signIn(page, stack.admin, '/admin/labs');
  await chooseLanguage(page, 'en');
  const row = page.locator(`tr[data-lab="${stack.labId}"]`);
  const disruptive = () => row.getByRole('switch', { name: /Run disruptive checks/ });
  // The visible switch is the checkbox's label, as a person clicks it.
  const visibleSwitch = row.locator(`label[for="disruptive-${stack.labId}"]`);
  await expect(disruptive()).toBeChecked();
  await visibleSwitch.click();
  await expect(disruptive()).not.toBeChecked();
  await expect(visibleSwitch).toContainText('Skip');
  await expect(
    page.getByRole('status').filter({ hasText: 'Saved: Redis StatefulSet on an existing PV and PVC' }),
  ).toBeVisible();
  await shot(page, 'admin-labs');
  await page.reload();
  await expect(disruptive()).not.toBeChecked();
  await visibleSwitch.click();
  await expect(disruptive()).toBeChecked();
  await expect(page.getByRole('status').filter({ hasText: 'Saved:' })).toBeVisible();
  await page.reload();
  await expect(disruptive()).toBeChecked();
});

test('the sign-in page offers both languages and refuses a wrong password', async ({ page }) => {
  await page.goto('/login');
  await chooseLanguage(page, 'zh-CN');
  await expect(page.getByRole('heading', { name: '登录 Kubegrade' })).toBeVisible();
  await shot(page, 'login-zh');
  await chooseLanguage(page, 'en');
  await page.locator('#email').fill(stackInfo().instructor.email);
  await page.locator('#password').fill('definitely-wrong');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('form').getByRole('alert')).toContainText('That email and password do not match');
  await shot(page, 'login-error');
});

test('what is typed into the sign-in form before the page is interactive is kept', async ({ page }) => {
  // Hold the page's scripts back so the fields are filled before React hydrates them, as on a
  // slow phone or with a password manager that fills at load.
  let release!: () => void;
  const scriptsHeld = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/_next/static/chunks/**', async (route) => {
    await scriptsHeld;
    await route.continue();
  });
  await page.goto('/login?next=/admin/labs', { waitUntil: 'commit' });
  await page.locator('#email').fill(stackInfo().admin.email);
  await page.locator('#password').fill(stackInfo().admin.password);
  const submit = page.locator('form button[type=submit]');
  await expect(submit).toBeDisabled();
  release();
  await submit.click();
  await expect(page).toHaveURL(/\/admin\/labs/);
});

// Integrations in the browser: an API token created on its page (shown once) regrades a student
// over GraphQL, the admin's event endpoint receives the graded run's signed run.finished (verified
// as Standard Webhooks says: apps/api's test does it with the library) and redelivers it from the events page, the gradebook CSV
// downloads from the scoreboards page, and the LTI page shows the URLs to register and keeps its
// passback lookup in the URL.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

const received: { headers: IncomingHttpHeaders; body: string }[] = [];

/** Whether a `webhook-signature` header holds a v1 signature of the body under the whsec_ secret. */
function verified(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key)
    .update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`)
    .digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((part) => {
      const sig = Buffer.from(part.split(',')[1] ?? '', 'base64');
      return part.startsWith('v1,') && sig.length === mac.length && timingSafeEqual(sig, mac);
    });
}
let receiver: Server;
let receiverUrl = '';
let token = '';

test.beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
test.afterAll(() => {
  receiver?.close();
});

test('an API token is shown once on its page and regrades with Authorization: Bearer', async ({
  page,
  request,
}) => {
  const stack = stackInfo();
  await signIn(page, stack.admin, '/admin/tokens');
  await chooseLanguage(page, 'en');
  await page.getByLabel('Name').fill('e2e-ci');
  await page.getByRole('checkbox', { name: /regrade:write/ }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('token-secret')).toBeVisible();
  token = await page.getByTestId('token-secret-value').inputValue();
  expect(token).toMatch(/^kgt_/);
  await shot(page, 'api-token-created');
  await page.getByRole('button', { name: 'I have saved the token' }).click();
  await expect(page.getByTestId('token-secret')).toHaveCount(0);
  await expect(page.getByTestId('api-tokens').getByRole('row', { name: /e2e-ci/ })).toContainText('Active');

  const denied = await request.post(`${stack.apiUrl}/graphql`, {
    data: { query: '{ webhooks { id } }' },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(denied.status()).toBe(403);
});

test('the event endpoint receives a graded run, signed, and the events page redelivers it', async ({
  page,
  request,
}) => {
  const stack = stackInfo();
  await signIn(page, stack.admin, '/admin/events');
  await chooseLanguage(page, 'en');
  await page.getByLabel('Name').fill('e2e-receiver');
  // The stack's course (scripts/stack.ts seeds it as "demo").
  await page.getByLabel('Course (slug)').fill('demo');
  await page.getByLabel('URL').fill(receiverUrl);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByTestId('event-secret')).toBeVisible();
  const secret = await page.getByTestId('event-secret-value').inputValue();
  await page.getByRole('button', { name: 'I have saved the secret' }).click();

  const regrade = await request.post(`${stack.apiUrl}/graphql`, {
    data: {
      query:
        'mutation($l: ID!, $n: [String!]) { regrade(labId: $l, namespaces: $n, disruptive: false) { runs { id } } }',
      variables: { l: stack.labId, n: [stack.correctStudent.namespace] },
    },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(regrade.status()).toBe(200);
  await expect.poll(() => received.length, { timeout: 150_000 }).toBeGreaterThan(0);
  const first = received[0]!;
  expect(verified(secret, first.headers, first.body)).toBe(true);
  expect(JSON.parse(first.body)).toMatchObject({
    type: 'run.finished',
    data: { namespace: stack.correctStudent.namespace },
  });

  await page.reload();
  const row = page
    .getByTestId('event-deliveries')
    .getByRole('row', { name: /run\.finished/ })
    .first();
  await expect(row).toContainText('Delivered');
  await expect(row).toContainText('200');
  await shot(page, 'event-delivered');
  await row.getByRole('button', { name: 'Redeliver' }).click();
  await expect.poll(() => received.length, { timeout: 60_000 }).toBeGreaterThan(1);
  expect(received[1]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
});

test('the scoreboards page downloads the Canvas gradebook; the LTI page shows the URLs to register', async ({
  page,
}) => {
  const stack = stackInfo();
  await signIn(page, stack.instructor, '/labs');
  await chooseLanguage(page, 'en');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Canvas CSV' }).click(),
  ]);
  const path = await download.path();
  const header = readFileSync(path, 'utf8').split('\n')[0] ?? '';
  expect(header.startsWith('Student,ID,SIS User ID,SIS Login ID,Section,')).toBe(true);

  await signIn(page, stack.admin, '/admin/lti');
  await chooseLanguage(page, 'en');
  await expect(page.getByRole('heading', { name: 'Register a platform' })).toBeVisible();
  await expect(page.getByLabel('Issuer (platform ID)')).toBeVisible();
  await shot(page, 'lti-admin');

  // The passback log's student and lab are the URL's: a reload (or a shared link) shows the same log.
  const student = stack.correctStudent;
  await page.getByLabel('Student', { exact: true }).fill(student.email);
  await page.getByLabel('Lab id').fill(stack.labId);
  await page.getByRole('button', { name: 'Show log' }).click();
  await expect(page).toHaveURL(
    (url) => url.searchParams.get('student') === student.email && url.searchParams.get('lab') === stack.labId,
  );
  const log = page.getByTestId('lti-passback-log');
  await expect(log).toContainText(student.name);
  // No platform is registered in the stack, so nothing was sent to an LMS.
  await expect(log).toContainText('Nothing sent for this student and lab yet.');
  await expect(page.getByRole('button', { name: 'Push now' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Student', { exact: true })).toHaveValue(student.email);
  await expect(page.getByLabel('Lab id')).toHaveValue(stack.labId);
  await expect(log).toContainText(student.name);
  await expect(page.getByRole('button', { name: 'Push now' })).toBeVisible();
});

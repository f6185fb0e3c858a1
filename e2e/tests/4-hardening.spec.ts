// What the browser-facing edge enforces: security headers with a per-request script nonce (and the
// app still works under them), and the web proxy's X-Forwarded-For, which a browser cannot choose.
import { expect, test } from '@playwright/test';
import { signIn } from '../support/helpers.ts';
import { stackInfo } from '../support/stack-info.ts';

test.describe.configure({ mode: 'serial' });

test('pages carry a nonce CSP, frame-ancestors none, nosniff and a referrer policy, and work under them', async ({
  page,
}) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const res = await page.goto('/login');
  const h = res!.headers();
  const csp = h['content-security-policy'] ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
  const scriptNonces = await page
    .locator('script')
    .evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
  expect({
    nonce: nonce.length > 10,
    unsafeInlineScript: /script-src[^;]*'unsafe-inline'/.test(csp),
    frameAncestors: /frame-ancestors 'none'/.test(csp),
    nosniff: h['x-content-type-options'],
    referrer: h['referrer-policy'],
    everyScriptNonced: scriptNonces.length > 0 && scriptNonces.every((n) => n === nonce),
  }).toEqual({
    nonce: true,
    unsafeInlineScript: false,
    frameAncestors: true,
    nosniff: 'nosniff',
    referrer: 'same-origin',
    everyScriptNonced: true,
  });

  // A second page load gets a different nonce.
  const again = (await page.goto('/login'))!.headers()['content-security-policy'] ?? '';
  expect(/'nonce-([^']+)'/.exec(again)?.[1]).not.toBe(nonce);

  // The app still hydrates, signs in and opens its live connection under the policy.
  await signIn(page, stackInfo().correctStudent, '/labs');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  // The api's WebSocket (another port) is allowed by connect-src: live updates still connect.
  const wsUrl = `${stackInfo().apiUrl.replace(/^http/, 'ws')}/graphql`;
  const ws = await page.evaluate(
    (url) =>
      new Promise<string>((resolve) => {
        const s = new WebSocket(url, 'graphql-transport-ws');
        s.onopen = () => {
          s.close();
          resolve('open');
        };
        s.onerror = () => resolve('error');
      }),
    wsUrl,
  );
  expect(ws).toBe('open');
  const inPage = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  expect({ console: violations, inPage }).toEqual({ console: [], inPage: [] });
});

test('a browser-written X-Forwarded-For does not buy new sign-in attempts through the web proxy', async ({
  request,
}) => {
  const csrf = (await (await request.get('/auth/csrf')).json()) as { token: string };
  const codes: number[] = [];
  for (let i = 0; i < 11; i++) {
    const res = await request.post('/auth/login', {
      data: { email: 'nobody-e2e@example.edu', password: 'wrong password' },
      headers: { 'x-csrf-token': csrf.token, 'x-forwarded-for': `203.0.113.${i}` },
    });
    codes.push(res.status());
  }
  // LOGIN_RATE_LIMIT_PER_MINUTE (10) per client and account: the 11th is refused.
  expect(codes).toEqual([...Array.from({ length: 10 }, () => 401), 429]);
});

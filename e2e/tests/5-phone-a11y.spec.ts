// Every word in the student's language, phones and screen readers: a failing student's page in
// Chinese holds no English sentence (object names and code aside) and announces each verdict in a
// live region; every page passes axe-core (no serious or critical violation) in both languages at
// 390 px and 1366 px, with no sideways scrolling of the page itself; the header folds into a menu
// on a phone and the scoreboard scrolls sideways with the student column in view. Screenshots of
// every page, language and width go to e2e/screenshots/layout-*.png.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { chooseLanguage, shot, signIn } from '../support/helpers.ts';
import { latinSentences } from '../support/latin.ts';
import { stackInfo, type Account } from '../support/stack-info.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 768 };
const LANGUAGES = ['zh-CN', 'en'] as const;

/** The text of every text node on the page outside code, one node per line (hidden ones too). */
async function pageText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('code, script, style, noscript')) continue;
      // The "does not count against you" note is bilingual on purpose.
      if (el.closest('[data-testid="not-counted"] [lang="en"]')) continue;
      // Names people gave (a course name) are data, like object names.
      if (el.closest('[translate="no"]')) continue;
      const text = (n.textContent ?? '').trim();
      if (text) out.push(text);
    }
    return out;
  });
}

/** Waits until the page has loaded its data (no loading note, no request in flight). */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect(page.locator('main')).toBeVisible();
  await expect(page.getByText(/^(Loading…|加载中…)$/)).toHaveCount(0);
  // A language switch re-renders the server layout; the title is back once it has.
  await expect(page).toHaveTitle(/\S/);
}

/** Serious and critical axe-core violations of the page, as "rule: target" lines. */
async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id} (${v.impact}): ${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`,
      ),
    );
}

/** How much wider than the viewport the page is (tables scroll inside their own boxes): 0 when it fits. */
async function pageOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The chain of elements from body down to what makes the page wider than the viewport (for failures). */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const path: string[] = [];
    let el: Element | undefined = document.body;
    while (el && path.length < 30) {
      const wide: Element[] = [...el.children].filter(
        (c) => c.scrollWidth > vw + 1 || c.getBoundingClientRect().right > vw + 1,
      );
      const next: Element | undefined = wide[0];
      if (!next) break;
      const r = next.getBoundingClientRect();
      const cs = getComputedStyle(next);
      const cls = [...next.classList].slice(0, 4).join('.');
      path.push(
        `${next.tagName.toLowerCase()}${cls ? `.${cls}` : ''} [${Math.round(r.left)}..${Math.round(r.right)} sw ${next.scrollWidth} ${cs.position} ${cs.overflowX} ${cs.display}]`,
      );
      el = next;
    }
    return path;
  });
}

/** A page in a fresh browser context (its own cookies: one person per context). */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** Visits `path` in both languages at both widths: axe, no page overflow, a screenshot each. The
 *  page is loaded once; the other width is a resize (CSS and media-query listeners follow it, as when
 *  a window is resized) and the other language one switch (at desktop width, where the header shows
 *  the language buttons), so the 4 views cost one load and one switch. */
async function checkPage(page: Page, name: string, path: string, problems: string[]): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await page.goto(path);
  await settled(page);
  const first = await page.locator('html').getAttribute('lang');
  for (const lang of first === 'en' ? (['en', 'zh-CN'] as const) : LANGUAGES) {
    await page.setViewportSize(DESKTOP);
    if ((await page.locator('html').getAttribute('lang')) !== lang) {
      await chooseLanguage(page, lang);
      await settled(page);
    }
    for (const size of [DESKTOP, PHONE]) {
      await page.setViewportSize(size);
      // One frame for what reacts to the resize (media-query listeners) to render.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      for (const p of await axeProblems(page)) problems.push(`${name} ${lang} ${size.width}px: ${p}`);
      const overflow = await pageOverflow(page);
      if (overflow > 1)
        problems.push(
          `${name} ${lang} ${size.width}px: the page is ${overflow}px wider than the screen: ${(await overflowing(page)).join('; ')}`,
        );
      await shot(page, `layout-${name}-${lang}-${size.width}`);
    }
  }
}

async function signedIn(page: Page, who: Account, next: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await signIn(page, who, next);
}

test("a failing student's page in Chinese says everything in Chinese and announces each verdict", async ({
  page,
}) => {
  const stack = stackInfo();
  await signedIn(page, stack.mismatchStudent, '/labs');
  await chooseLanguage(page, 'zh-CN');
  const card = page.locator(`section[data-lab="${stack.labId}"]`);
  const button = card.getByTestId('grade-button');
  await expect(button).toBeEnabled({ timeout: 150_000 });
  await button.click();
  const announcer = card.getByTestId('check-announcer');
  await expect(announcer).toHaveAttribute('aria-live', 'polite');
  await expect(card.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'FAILED', {
    timeout: 150_000,
  });

  // Each of the run's five checks is said once, in Chinese (the region speaks after the page renders the verdicts).
  await expect(announcer.locator('p')).toHaveCount(5);
  const said = await announcer.locator('p').allTextContents();
  expect(said.some((s) => s.includes('：未通过。'))).toBe(true);
  for (const s of said) expect(s, s).toMatch(/[\u4e00-\u9fff]/);

  const dns = card.locator('li[data-check="headless-dns"]');
  await expect(dns).toHaveAttribute('data-status', 'FAIL');
  await expect(dns.getByTestId('check-message')).toContainText(
    '每个 Pod 的 DNS 记录只会建在名称与 serviceName 完全相同的 Headless Service 下',
  );
  for (const failed of await card.locator('li[data-status="FAIL"] summary').all()) await failed.click();
  await expect(dns.locator('table')).toContainText('期望');

  const english = (await pageText(page)).flatMap((line) =>
    latinSentences(line).map((s) => `"${s}" in: ${line}`),
  );
  expect(english).toEqual([]);
  await shot(page, 'student-fail-zh-all-chinese');

  // The same page in English still says it in English.
  await chooseLanguage(page, 'en');
  await expect(dns.getByTestId('check-message')).toContainText(
    "selects the pods, but the StatefulSet's serviceName is",
  );
});

test('on a phone the header folds into a menu and the checks stack at full width', async ({ page }) => {
  const stack = stackInfo();
  await signedIn(page, stack.mismatchStudent, '/labs');
  await page.setViewportSize(PHONE);
  await settled(page);
  const menu = page.getByTestId('menu-button');
  const nav = page.getByRole('navigation');
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav).toBeVisible();
  await expect(page.getByRole('button', { name: /^(Sign out|退出登录)$/ })).toBeVisible();
  await shot(page, 'phone-menu-open');
  await menu.click();
  await expect(nav).toBeHidden();

  const card = page.locator(`section[data-lab="${stack.labId}"]`);
  const cardBox = await card.boundingBox();
  const items = await card.locator('li[data-check]').all();
  expect(items.length).toBe(5);
  for (const item of items) {
    const box = await item.boundingBox();
    const title = await item.locator('h4').boundingBox();
    expect(box!.width).toBeGreaterThan(cardBox!.width * 0.8);
    expect(title!.width, 'the check title gets a line of its own, not a strip').toBeGreaterThan(200);
  }
  expect(await pageOverflow(page), (await overflowing(page)).join('; ')).toBeLessThanOrEqual(1);

  await page.setViewportSize(DESKTOP);
  await expect(menu).toBeHidden();
  await expect(nav).toBeVisible();
});

test('on a phone the scoreboard scrolls sideways with the student column in view', async ({ page }) => {
  const stack = stackInfo();
  await signedIn(page, stack.instructor, `/labs/${stack.labId}/scoreboard`);
  await page.setViewportSize(PHONE);
  await settled(page);
  const scroller = page.getByTestId('scoreboard-scroll');
  const row = page.locator(`tr[data-namespace="${stack.mismatchStudent.namespace}"]`);
  await expect(row).toBeVisible();
  const { scrollWidth, clientWidth } = await scroller.evaluate((el) => ({
    scrollWidth: el.scrollWidth,
    clientWidth: el.clientWidth,
  }));
  expect(scrollWidth).toBeGreaterThan(clientWidth);
  const student = row.locator('th[scope="row"]');
  const before = await student.boundingBox();
  await scroller.evaluate((el) => el.scrollBy({ left: 400 }));
  await expect.poll(() => scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(100);
  const after = await student.boundingBox();
  expect(Math.round(after!.x)).toBe(Math.round(before!.x));
  // The namespace column (not sticky) moved out from under it.
  const nsCell = row.locator('td').nth(1);
  expect((await nsCell.boundingBox())!.x).toBeLessThan(before!.x + 10);
  expect(await pageOverflow(page), (await overflowing(page)).join('; ')).toBeLessThanOrEqual(1);
  await shot(page, 'phone-scoreboard-scrolled');
});

test('every page passes axe-core in both languages at 390 px and 1366 px', async ({ browser }) => {
  test.setTimeout(600_000);
  const stack = stackInfo();
  const problems: string[] = [];

  const anon = await freshPage(browser);
  await checkPage(anon, 'login', '/login', problems);
  await checkPage(anon, 'set-password', '/set-password?token=not-a-real-token', problems);
  await anon.context().close();

  // The mismatch student's latest report, as the scoreboard links it (instructor and student may open it).
  const instructor = await freshPage(browser);
  await signedIn(instructor, stack.instructor, `/labs/${stack.labId}/scoreboard`);
  await settled(instructor);
  const reportHref = await instructor
    .locator(`tr[data-namespace="${stack.mismatchStudent.namespace}"] a[href^="/runs/"]`)
    .first()
    .getAttribute('href', { timeout: 30_000 });
  expect(reportHref).toBeTruthy();
  await checkPage(instructor, 'instructor-labs', '/labs', problems);
  await checkPage(instructor, 'scoreboard', `/labs/${stack.labId}/scoreboard`, problems);
  await checkPage(instructor, 'instructor-run', reportHref!, problems);
  await checkPage(instructor, 'lab-settings', `/labs/${stack.labId}/settings`, problems);
  await checkPage(instructor, 'insight', `/labs/${stack.labId}/insight`, problems);
  await checkPage(instructor, 'regrade', `/labs/${stack.labId}/regrade`, problems);
  await instructor.goto(`/labs/${stack.labId}/scoreboard`);
  const ledgerHref = await instructor
    .locator(`tr[data-namespace="${stack.mismatchStudent.namespace}"] [data-testid="total"] a`)
    .getAttribute('href', { timeout: 30_000 });
  expect(ledgerHref).toMatch(/\/ledger\?enrollment=/);
  await checkPage(instructor, 'instructor-ledger', ledgerHref!, problems);
  await checkPage(instructor, 'tokens', '/admin/tokens', problems);
  await instructor.context().close();

  const student = await freshPage(browser);
  await signedIn(student, stack.mismatchStudent, '/labs');
  await checkPage(student, 'student-labs', '/labs', problems);
  await checkPage(student, 'student-run', reportHref!.split('?')[0]!, problems);
  await checkPage(student, 'student-ledger', `/labs/${stack.labId}/ledger`, problems);
  await student.context().close();

  const admin = await freshPage(browser);
  await signedIn(admin, stack.admin, '/admin/roster');
  await checkPage(admin, 'roster', '/admin/roster', problems);
  await checkPage(admin, 'admin-labs', '/admin/labs', problems);
  await checkPage(admin, 'webhooks', '/admin/webhooks', problems);
  await checkPage(admin, 'events', '/admin/events', problems);
  // With a passback lookup in the URL, so its log is checked too.
  const lookup = new URLSearchParams({ student: stack.correctStudent.email, lab: stack.labId });
  await checkPage(admin, 'lti', `/admin/lti?${lookup.toString()}`, problems);
  await admin.context().close();

  expect(problems).toEqual([]);
});

// `npm run demo` as a newcomer uses it: start it, wait for the printed URL and logins, sign in as
// the instructor in a real browser, see the class graded on the scoreboard, press Ctrl-C, and
// check that nothing it started is left running.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** PIDs of every process whose parent chain leads to `root` (root included). */
function descendants(root: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of table) {
      if (out.has(ppid) && !out.has(pid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return [...out];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('npm run demo: printed login works, the class is graded, Ctrl-C leaves nothing behind', async ({
  page,
}) => {
  test.setTimeout(900_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubegrade-demo-e2e-'));
  // The demo script itself (what `npm run demo` runs after installing), with a smaller class.
  const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DEMO_STUDENTS: '12',
      EMBEDDED_DATA_DIR: join(dataDir, 'pglite'),
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  demo.stdout.on('data', (c: Buffer) => (out += c.toString()));
  demo.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((res) => demo.once('exit', (code) => res(code)));
  let everything: number[] = [];
  let failure: unknown = null;
  try {
    await expect
      .poll(
        () =>
          demo.exitCode !== null ? `exited ${demo.exitCode}: ${err.slice(-2000)}` : /^webhook: /m.test(out),
        { timeout: 840_000, intervals: [1000] },
      )
      .toBe(true);
    const field = (name: string) =>
      new RegExp(`^${name}: (.+)$`, 'm').exec(out)?.[1]?.trim().split(/\s+/) ?? [];
    const [webUrl] = field('web');
    const [email, password] = field('instructor');
    const [studentEmail, studentPassword] = field('student');
    const [hookUrl, hookSecret] = field('webhook');
    expect(webUrl).toMatch(/^http:\/\//);
    expect(field('api')[0]).toMatch(/^http:\/\//);
    expect(studentEmail && studentPassword && hookUrl && hookSecret).toBeTruthy();
    everything = descendants(demo.pid!);

    await page.goto(`${webUrl}/login`);
    await page.locator('#email').fill(email!);
    await page.locator('#password').fill(password!);
    await page.locator('form button[type=submit]').click();
    await expect(page).not.toHaveURL(/\/login/);
    await page.goto(`${webUrl}/labs/redis-exist-pvc/scoreboard`);
    const table = page.getByTestId('scoreboard-table');
    // Every one of the 12 students is on the scoreboard, graded: some pass, some fail.
    for (let i = 1; i <= 12; i++)
      await expect(table.getByText(`student-${String(i).padStart(3, '0')}`, { exact: true })).toBeVisible();
    await expect(table).toContainText(/PASS/i);
    await expect(table).toContainText(/FAIL/i);
  } catch (e) {
    failure = e;
  }
  everything = [
    ...new Set([...everything, ...(demo.pid && demo.exitCode === null ? descendants(demo.pid) : [])]),
  ];
  demo.kill('SIGINT');
  const code = await Promise.race([
    exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000)),
  ]);
  // A process may still be finishing its own exit for a moment (redis-server saving); none may stay.
  const deadline = Date.now() + 15_000;
  while (everything.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const describe = (pid: number) => {
    try {
      return `${pid} ${execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim()}`;
    } catch {
      return `${pid}`;
    }
  };
  const left = everything.filter(alive).map(describe);
  for (const pid of everything.filter(alive)) process.kill(pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  if (failure) throw failure;
  expect(code, err.slice(-2000)).toBe(0);
  expect(left, 'processes the demo left running after Ctrl-C').toEqual([]);
});

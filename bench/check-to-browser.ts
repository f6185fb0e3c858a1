// Figure 5: time from a check finishing in the worker to the scoreboard cell changing in the
// browser. startStack() runs kube-sim (real redis-server pods), the api, a worker and the web app
// over a fresh PostgreSQL database at PG_TEST_URL; Debian's chromium (playwright-core) signs in as
// the instructor and opens the scoreboard; a MutationObserver in the page records, for every
// check cell, when its data-status changes (performance.timeOrigin + performance.now(), this
// machine's clock). The latency of a check is that moment (the first change to the check's final
// status after the run was triggered) minus CheckResult.finishedAt, which the worker stamps with
// this machine's clock just before it writes and publishes the result.
// The api publishes a scoreboard row when a run finishes (not per check), so a check's latency
// includes the rest of its run; a later round only counts cells whose status changes (an unchanged
// status leaves the cell's DOM alone), so one round over a fresh scoreboard is the default.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { createPrisma, createTestDatabase } from '@kubegrade/db';
import { ApiClient, startStack, type Stack } from '../scripts/stack.ts';
import { waitForReady } from '../scripts/sim-cluster.ts';

const LAB = 'redis-exist-pvc';
const FINAL = new Set(['PASS', 'FAIL', 'ERROR', 'SKIPPED']);
// Correct namespaces and two mistakes that still let the pods become Ready (so FAIL cells appear too).
const SPREAD = [null, 'servicename-mismatch', null, 'service-not-headless', null, null] as const;

/** p-th percentile of xs. */
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** The latency figures. */
export interface CheckToBrowserFigures {
  students: number;
  rounds: number;
  /** Check results the worker wrote. */
  checks: number;
  /** Of those, how many cells the browser was seen to change to the check's status. */
  observed: number;
  p50: number;
  max: number;
  min: number;
  /** Per run, the latency of its last check to finish (the smallest). */
  lastCheckP50: number;
  /** Per run, from GradingRun.finishedAt (when the scoreboard row is published) to its first cell change. */
  runFinishedP50: number;
  /** Per run, from GradingRun.finishedAt to its scoreboard row arriving on the page's WebSocket (null if not seen). */
  runFinishedToSocketP50: number | null;
  disruptive: boolean;
}

interface CellChange {
  ns: string;
  check: string;
  status: string;
  t: number;
}

/** Runs `rounds` regrades of `students` namespaces and measures every check result's cell. */
export async function checkToBrowserFigures(students = 6, rounds = 1, log: (s: string) => void = () => {}, disruptive = false): Promise<CheckToBrowserFigures> {
  const db = await createTestDatabase();
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  try {
    const logDir = join(tmpdir(), `kubegrade-bench-${process.pid}`);
    mkdirSync(logDir, { recursive: true });
    log(`figure 5: starting the stack (${students} students; logs in ${logDir})`);
    stack = await startStack({ databaseUrl: db.url, students, spread: SPREAD, lab: LAB, logDir, env: { LOG_LEVEL: 'warn' } });
    if (!stack.webUrl) throw new Error('the stack has no web app');
    if (stack.fallbacks.length) log(`figure 5: ${stack.fallbacks.join(' ')}`);
    const namespaces = stack.logins.students.map((s) => s.namespace);
    await waitForReady(stack.cluster.sim, namespaces, 180_000);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // Stamp each scoreboard row as it arrives on the subscription socket (our listener is added in
    // the constructor, before graphql-ws sets onmessage, so it runs first).
    await page.addInitScript(`(() => {
      const W = window.WebSocket;
      window.__rowFrames = [];
      window.WebSocket = class extends W {
        constructor(...a) {
          super(...a);
          this.addEventListener('message', (e) => {
            const t = performance.timeOrigin + performance.now();
            try {
              const row = JSON.parse(e.data)?.payload?.data?.scoreboardChanged;
              if (row && row.latestRun) window.__rowFrames.push({ runId: row.latestRun.id, t });
            } catch {}
          });
        }
      };
    })()`);
    page.setDefaultTimeout(60_000);
    const board = `/labs/${LAB}/scoreboard`;
    await page.goto(`${stack.webUrl}/login?next=${encodeURIComponent(board)}`);
    await page.locator('#email').fill(stack.logins.instructor.email);
    await page.locator('#password').fill(stack.logins.instructor.password);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === board);
    await page.locator('[data-testid=scoreboard-table] [data-namespace] [data-check]').first().waitFor();
    // Let the subscription socket connect before the first run is triggered.
    await page.waitForTimeout(2000);
    // A string, not a function: tsx's transform would add helpers (__name) the page does not have.
    await page.evaluate(`(() => {
      const last = new Map();
      const changes = [];
      window.__cellChanges = changes;
      const scan = () => {
        const t = performance.timeOrigin + performance.now();
        for (const el of document.querySelectorAll('[data-namespace] [data-check]')) {
          const ns = el.closest('[data-namespace]').dataset.namespace;
          const check = el.dataset.check;
          const status = el.dataset.status || '';
          const key = ns + '\\u0000' + check;
          if (last.get(key) !== status) {
            if (last.has(key)) changes.push({ ns, check, status, t });
            last.set(key, status);
          }
        }
      };
      scan();
      new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);

    const client = new ApiClient(stack.apiUrl);
    await client.login(stack.logins.instructor.email, stack.logins.instructor.password);
    const prisma = createPrisma(stack.databaseUrl, { max: 2 });
    const samples: number[] = [];
    const lastOfRun = new Map<string, number>();
    const fromRunEnd = new Map<string, number>();
    const toSocket: number[] = [];
    let checks = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        const triggeredAt = Date.now();
        const d = await client.graphql<{ regrade: { runs: { id: string }[] } }>('mutation($lab: ID!, $d: Boolean) { regrade(labId: $lab, all: true, disruptive: $d) { runs { id } } }', { lab: LAB, d: disruptive });
        const ids = d.regrade.runs.map((r) => r.id);
        log(`figure 5: round ${round + 1}: ${ids.length} runs`);
        const deadline = Date.now() + 300_000;
        while ((await prisma.gradingRun.count({ where: { id: { in: ids }, status: { in: ['QUEUED', 'RUNNING'] } } })) > 0) {
          if (Date.now() > deadline) throw new Error('runs unfinished after 300 s');
          await new Promise((r) => setTimeout(r, 300));
        }
        await page.waitForTimeout(3000); // the last cells' updates
        const changes = (await page.evaluate('window.__cellChanges || []')) as CellChange[];
        const frames = (await page.evaluate('window.__rowFrames || []')) as { runId: string; t: number }[];
        for (const run of await prisma.gradingRun.findMany({ where: { id: { in: ids } }, select: { id: true, finishedAt: true } })) {
          const f = frames.find((x) => x.runId === run.id);
          if (f && run.finishedAt) toSocket.push(f.t - run.finishedAt.getTime());
        }
        const results = await prisma.checkResult.findMany({ where: { runId: { in: ids }, finishedAt: { not: null } }, select: { runId: true, checkId: true, status: true, finishedAt: true, run: { select: { namespace: true, finishedAt: true } } } });
        for (const r of results) {
          checks++;
          const seen = changes.find((c) => c.ns === r.run.namespace && c.check === r.checkId && c.status === r.status && FINAL.has(c.status) && c.t >= triggeredAt);
          if (!seen) continue;
          const latency = seen.t - r.finishedAt!.getTime();
          samples.push(latency);
          lastOfRun.set(r.runId, Math.min(latency, lastOfRun.get(r.runId) ?? Infinity));
          if (r.run.finishedAt) fromRunEnd.set(r.runId, Math.min(seen.t - r.run.finishedAt.getTime(), fromRunEnd.get(r.runId) ?? Infinity));
        }
        // The next round's changes only.
        await page.evaluate('window.__cellChanges.splice(0), 0');
      }
    } finally {
      await prisma.$disconnect();
    }
    if (samples.length === 0) throw new Error(`no scoreboard cell was seen changing for ${checks} check results`);
    return { students, rounds, checks, observed: samples.length, p50: pct(samples, 50), max: Math.max(...samples), min: Math.min(...samples), lastCheckP50: pct([...lastOfRun.values()], 50), runFinishedP50: pct([...fromRunEnd.values()], 50), runFinishedToSocketP50: toSocket.length ? pct(toSocket, 50) : null, disruptive };
  } finally {
    await browser?.close().catch(() => {});
    await stack?.stop().catch(() => {});
    await db.drop().catch(() => {});
  }
}

// `npx tsx bench/check-to-browser.ts [students] [rounds]`: this figure alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  checkToBrowserFigures(Number(process.argv[2] ?? 6), Number(process.argv[3] ?? 1), (s) => process.stderr.write(`${s}\n`)).then(
    (f) => {
      process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

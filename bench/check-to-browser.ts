// Figure 5: time from a check finishing in the worker to the scoreboard cell changing in the
// browser. startStack() runs kube-sim (real redis-server pods), the api, a worker and the web app
// over a fresh PostgreSQL database at PG_TEST_URL; Debian's chromium (playwright-core) signs in as
// the instructor and opens the scoreboard; a MutationObserver in the page records, for every
// check cell, when its data-status changes (performance.timeOrigin + performance.now(), this
// machine's clock). The latency of a check is that moment (the first change to the check's final
// status after the run was triggered) minus CheckResult.finishedAt, which the worker stamps with
// this machine's clock just before it writes and publishes the result.
// The api publishes the scoreboard row of each check as it finishes (and again at the run's end); a
// later round only counts cells whose status changes (an unchanged status leaves the cell's DOM
// alone), so one round over a fresh scoreboard is the default.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { createPrisma, createPubSub, createTestDatabase, scoreboardTopic } from '@kubegrade/db';
import { httpClient } from '@kubegrade/api/client';
import { startStack, type Stack } from '../scripts/stack.ts';
import { waitForReady } from '../scripts/sim-cluster.ts';

const LAB = 'redis-exist-pvc';
const FINAL = new Set(['PASS', 'FAIL', 'ERROR', 'SKIPPED']);
// Correct namespaces and two mistakes that still let the pods become Ready (so FAIL cells appear too).
const SPREAD = [null, 'servicename-mismatch', null, 'service-not-headless', null, null] as const;

/** p-th percentile of xs. */
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

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
  /** Per check, from its finishedAt to the first row on the page's WebSocket showing its verdict (the server side of p50). */
  checkToSocketP50: number | null;
  /** Per check, from its finishedAt to its check-finished NOTIFY reaching a listener (the worker's share: queueing + the write). */
  checkToNotifyP50: number | null;
  /** Per check, from that NOTIFY to the row on the page's WebSocket (the api's share, plus any wait for the page's main thread). */
  notifyToSocketP50: number | null;
  /** The page's main-thread tasks over 50 ms from the first trigger on: how many, and their total ms. */
  longTasks: { count: number; ms: number };
  disruptive: boolean;
}

interface CellChange {
  ns: string;
  check: string;
  status: string;
  t: number;
}

/** Runs `rounds` regrades of `students` namespaces and measures every check result's cell. */
export async function checkToBrowserFigures(
  students = 6,
  rounds = 1,
  log: (s: string) => void = () => {},
  disruptive = false,
): Promise<CheckToBrowserFigures> {
  const db = await createTestDatabase();
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  try {
    const logDir = join(tmpdir(), `kubegrade-bench-${process.pid}`);
    mkdirSync(logDir, { recursive: true });
    log(`figure 5: starting the stack (${students} students; logs in ${logDir})`);
    stack = await startStack({
      databaseUrl: db.url,
      students,
      spread: SPREAD,
      lab: LAB,
      logDir,
      env: { LOG_LEVEL: 'warn' },
    });
    if (!stack.webUrl) throw new Error('the stack has no web app');
    if (stack.fallbacks.length) log(`figure 5: ${stack.fallbacks.join(' ')}`);
    const namespaces = stack.logins.students.map((s) => s.namespace);
    if (!stack.cluster) throw new Error('figure 5 runs on kube-sim');
    await waitForReady(stack.cluster.sim, namespaces, 180_000);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // Stamp each scoreboard row as it arrives on the subscription socket (our listener is added in
    // the constructor, before graphql-ws sets onmessage, so it runs first).
    await page.addInitScript(`(() => {
      const W = window.WebSocket;
      window.__rowFrames = [];
      // Main-thread tasks over 50 ms (a busy page delays every socket message behind them).
      window.__longTasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__longTasks.push({ t: performance.timeOrigin + e.startTime, ms: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      window.WebSocket = class extends W {
        constructor(...a) {
          super(...a);
          this.addEventListener('message', (e) => {
            const t = performance.timeOrigin + performance.now();
            try {
              const row = JSON.parse(e.data)?.payload?.data?.scoreboardChanged;
              if (row && row.latestRun) window.__rowFrames.push({ runId: row.latestRun.id, t, cells: (row.cells || []).map((c) => c.checkId + ':' + c.status) });
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

    const client = httpClient(stack.apiUrl);
    await client.signIn(stack.logins.instructor.email, stack.logins.instructor.password);
    const prisma = createPrisma(stack.databaseUrl, { max: 2 });
    // A listener of our own on the scoreboard topic, like the api's: when each check's event arrives.
    const notified = new Map<string, number>();
    const probe = await createPubSub(stack.databaseUrl);
    probe.on(scoreboardTopic(LAB), (m, done) => {
      const p = m.payload as { event?: string; runId?: string; checkId?: string };
      if (p.event === 'check-finished' && !notified.has(`${p.runId}/${p.checkId}`))
        notified.set(`${p.runId}/${p.checkId}`, Date.now());
      done();
    });
    const checkToNotify: number[] = [];
    const notifyToSocket: number[] = [];
    const samples: number[] = [];
    const lastOfRun = new Map<string, number>();
    const fromRunEnd = new Map<string, number>();
    const toSocket: number[] = [];
    const checkToSocket: number[] = [];
    let checks = 0;
    let firstTrigger = Infinity;
    let longTasks: { t: number; ms: number }[] = [];
    try {
      for (let round = 0; round < rounds; round++) {
        const triggeredAt = Date.now();
        firstTrigger = Math.min(firstTrigger, triggeredAt);
        const d = await client.graphql<{ regrade: { runs: { id: string }[] } }>(
          'mutation($lab: ID!, $d: Boolean) { regrade(labId: $lab, all: true, disruptive: $d) { runs { id } } }',
          { lab: LAB, d: disruptive },
        );
        const ids = d.regrade.runs.map((r) => r.id);
        log(`figure 5: round ${round + 1}: ${ids.length} runs`);
        const deadline = Date.now() + 300_000;
        while (
          (await prisma.gradingRun.count({
            where: { id: { in: ids }, status: { in: ['QUEUED', 'RUNNING'] } },
          })) > 0
        ) {
          if (Date.now() > deadline) throw new Error('runs unfinished after 300 s');
          await new Promise((r) => setTimeout(r, 300));
        }
        await page.waitForTimeout(3000); // the last cells' updates
        const changes = (await page.evaluate('window.__cellChanges || []')) as CellChange[];
        const frames = (await page.evaluate('window.__rowFrames || []')) as {
          runId: string;
          t: number;
          cells: string[];
        }[];
        for (const run of await prisma.gradingRun.findMany({
          where: { id: { in: ids } },
          select: { id: true, finishedAt: true },
        })) {
          const f = frames.find((x) => x.runId === run.id);
          if (f && run.finishedAt) toSocket.push(f.t - run.finishedAt.getTime());
        }
        const results = await prisma.checkResult.findMany({
          where: { runId: { in: ids }, finishedAt: { not: null } },
          select: {
            runId: true,
            checkId: true,
            status: true,
            finishedAt: true,
            run: { select: { namespace: true, finishedAt: true } },
          },
        });
        for (const r of results) {
          checks++;
          const seen = changes.find(
            (c) =>
              c.ns === r.run.namespace &&
              c.check === r.checkId &&
              c.status === r.status &&
              FINAL.has(c.status) &&
              c.t >= triggeredAt,
          );
          if (!seen) continue;
          const latency = seen.t - r.finishedAt!.getTime();
          samples.push(latency);
          // The first row on the socket that shows this check's verdict: server side vs browser side.
          const frame = frames.find(
            (f) => f.runId === r.runId && f.t >= triggeredAt && f.cells.includes(`${r.checkId}:${r.status}`),
          );
          if (frame) checkToSocket.push(frame.t - r.finishedAt!.getTime());
          const heard = notified.get(`${r.runId}/${r.checkId}`);
          if (heard !== undefined) checkToNotify.push(heard - r.finishedAt!.getTime());
          if (heard !== undefined && frame) notifyToSocket.push(frame.t - heard);
          lastOfRun.set(r.runId, Math.min(latency, lastOfRun.get(r.runId) ?? Infinity));
          if (r.run.finishedAt)
            fromRunEnd.set(
              r.runId,
              Math.min(seen.t - r.run.finishedAt.getTime(), fromRunEnd.get(r.runId) ?? Infinity),
            );
        }
        // The next round's changes only.
        await page.evaluate('window.__cellChanges.splice(0), 0');
      }
      longTasks = ((await page.evaluate('window.__longTasks')) as typeof longTasks).filter(
        (x) => x.t >= firstTrigger,
      );
    } finally {
      await new Promise<void>((r) => probe.close(r));
      await prisma.$disconnect();
    }
    if (samples.length === 0)
      throw new Error(`no scoreboard cell was seen changing for ${checks} check results`);
    return {
      students,
      rounds,
      checks,
      observed: samples.length,
      p50: pct(samples, 50),
      max: Math.max(...samples),
      min: Math.min(...samples),
      lastCheckP50: pct([...lastOfRun.values()], 50),
      runFinishedP50: pct([...fromRunEnd.values()], 50),
      runFinishedToSocketP50: toSocket.length ? pct(toSocket, 50) : null,
      checkToSocketP50: checkToSocket.length ? pct(checkToSocket, 50) : null,
      checkToNotifyP50: checkToNotify.length ? pct(checkToNotify, 50) : null,
      notifyToSocketP50: notifyToSocket.length ? pct(notifyToSocket, 50) : null,
      longTasks: { count: longTasks.length, ms: Math.round(longTasks.reduce((n, x) => n + x.ms, 0)) },
      disruptive,
    };
  } finally {
    await browser?.close().catch(() => {});
    await stack?.stop().catch(() => {});
    await db.drop().catch(() => {});
  }
}

// `npx tsx bench/check-to-browser.ts [students] [rounds]`: this figure alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  checkToBrowserFigures(Number(process.argv[2] ?? 6), Number(process.argv[3] ?? 1), (s) =>
    process.stderr.write(`${s}\n`),
  ).then(
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

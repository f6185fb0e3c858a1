// `npm run bench`: Kubegrade's figures, side by side in one run, printed as a table and recorded in
// bench/RESULTS.md with the machine and the date. Figures only: nothing here passes or fails.
//   BENCH_NAMESPACES (default 500)  namespaces for the bulk regrade (figure 2)
//   BENCH_CONCURRENCY (default 4)    graders at once (the worker's WORKER_CONCURRENCY); figure 2 also runs 32
//   BENCH_RECREATE_DELAY_MS (2000)   how long kube-sim takes to re-create a deleted pod
//   BENCH_SUBMIT_STUDENTS (500)      students in the submit storm (figure 3)
//   BENCH_BROWSER_STUDENTS (6)       students on the scoreboard watched in chromium (figure 5)
import { cpus, totalmem, type as osType, release } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { markdownTable } from './markdown.ts';
import { fileURLToPath } from 'node:url';
import { oneNamespaceFigures, type Row as OneNamespaceRow } from './one-namespace.ts';
import { scoreboardFigures } from './scoreboard.ts';
import { submitStormFigures } from './submit-storm.ts';
import { checkToBrowserFigures } from './check-to-browser.ts';
import { liveLabFigures, liveLabRows } from './live-lab.ts';
import { regradeFigures } from './regrade.ts';

const N = Number(process.env.BENCH_NAMESPACES ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const RECREATE_DELAY_MS = Number(process.env.BENCH_RECREATE_DELAY_MS ?? 2000);
const SUBMIT_STUDENTS = Number(process.env.BENCH_SUBMIT_STUDENTS ?? 500);
const BROWSER_STUDENTS = Number(process.env.BENCH_BROWSER_STUDENTS ?? 6);
const LIVE_NAMESPACES = Number(process.env.BENCH_LIVE_NAMESPACES ?? 500);
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

type Row = OneNamespaceRow;
const rows: Row[] = [];

/** Figure 2: regrade N namespaces with every check (the pod-delete one too), at the worker's default
 *  concurrency and at 32 at once. */
async function figure2(): Promise<void> {
  const runs = await regradeFigures(N, [...new Set([CONCURRENCY, 32])], RECREATE_DELAY_MS, say);
  for (const [k, f] of runs.entries()) {
    rows.push(
      [
        k === 0 ? `2 regrade ${N} namespaces, all checks` : '',
        `total (${f.concurrency} at once, pods re-created after ${f.recreateDelayMs} ms)`,
        `${(f.totalMs / 1000).toFixed(1)} s`,
      ],
      [
        '',
        `lower bound ceil(N / ${f.concurrency}) x delay; ratio`,
        `${(f.boundMs / 1000).toFixed(1)} s; ${(f.totalMs / f.boundMs).toFixed(2)}x`,
      ],
      ['', 'API requests per namespace', f.requestsPerNamespace.toFixed(1)],
      [
        '',
        'CPU per namespace: grading engine; kube-sim (its own process)',
        `${ms(f.graderCpuMsPerNamespace)}; ${ms(f.simCpuMsPerNamespace)}`,
      ],
      [
        '',
        'run results',
        Object.entries(f.statuses)
          .map(([s, v]) => `${v} ${s}`)
          .join(', '),
      ],
    );
  }
}

async function main(): Promise<void> {
  // `npm run bench -- --cluster real`: figures 1 and 2 on the real single-node cluster instead.
  const args = process.argv.slice(2).join(' ');
  if (/--cluster[ =]real/.test(args)) {
    await (await import('./real-cluster.ts')).realClusterFigures();
    return;
  }
  say('figure 1: one namespace, kubectl script vs Kubegrade (warm, and cold from the built bundle)');
  const f1 = await oneNamespaceFigures();
  rows.push(...f1.rows);
  const speedLine = f1.speedLine;
  // Figure 2 runs after the latency figures (3-5), whose tails its 500 Redis pods and their
  // teardown would otherwise disturb; its rows still print second.
  const figure2At = rows.length;
  say(
    `figure 3: ${SUBMIT_STUDENTS} students submitting within 5 s (api over real HTTP, PostgreSQL at PG_TEST_URL, no worker)`,
  );
  try {
    const f = await submitStormFigures(SUBMIT_STUDENTS, 5000, 10, say);
    const fig = `3 ${f.students} students submit within ${f.windowMs / 1000} s`;
    rows.push(
      [
        fig,
        `requests (every 10th student twice), no worker: runs stay QUEUED`,
        `${f.requests} in ${f.windowMs / 1000} s, last answer after ${(f.spanMs / 1000).toFixed(1)} s`,
      ],
      [
        '',
        'accepted (new run) / duplicates (joined) / lost',
        `${f.accepted} / ${f.joined} / ${f.lost}${f.extraRuns ? `, ${f.extraRuns} duplicate runs created` : ''}`,
      ],
      [
        '',
        'submitRun mutation p50 / p95 / p99 / max (api in its own process)',
        `${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.p99)} / ${ms(f.max)}`,
      ],
      [
        '',
        'SQL statements: new run / join / storm average per request',
        `${f.newRunStatements} / ${f.joinStatements} / ${f.statementsPerSubmit.toFixed(2)}`,
      ],
      [
        '',
        'api CPU per submit; event-loop utilisation during the storm',
        `${ms(f.cpuMsPerSubmit)}; ${(f.elu * 100).toFixed(0)} %`,
      ],
      ['', 'PostgreSQL CPU per submit (every postgres process on the machine)', ms(f.postgresCpuMsPerSubmit)],
    );
    for (const l of f.lostDetail.slice(0, 5)) say(`figure 3 lost: ${l}`);
  } catch (err) {
    rows.push([
      `3 ${SUBMIT_STUDENTS} students submit within 5 s`,
      'accepted / duplicates / lost, submit p50/p99',
      `not measured: ${(err as Error).message.split('\n')[0]}`,
    ]);
  }
  say('figure 4: scoreboard and CSV over 500 students x 5 checks x 20 runs (PostgreSQL at PG_TEST_URL)');
  try {
    const f = await scoreboardFigures(500, 20, 50);
    rows.push(
      [
        `4 scoreboard + CSV, ${f.students} students, ${f.runs} runs`,
        'GraphQL scoreboard (all rows) p50 / p95, size',
        `${ms(f.graphql.p50)} / ${ms(f.graphql.p95)}, ${(f.graphql.bytes / 1024).toFixed(0)} KiB`,
      ],
      [
        '',
        'CSV export p50 / p95, size',
        `${ms(f.csv.p50)} / ${ms(f.csv.p95)}, ${(f.csv.bytes / 1024).toFixed(0)} KiB`,
      ],
      ['', 'api CPU per request p50: GraphQL / CSV', `${ms(f.graphql.cpuP50)} / ${ms(f.csv.cpuP50)}`],
      ['', 'SQL statements per request: GraphQL / CSV', `${f.graphql.statements} / ${f.csv.statements}`],
    );
  } catch (err) {
    rows.push([
      '4 scoreboard + CSV',
      'p50/p95 server time, response size',
      `not measured: ${(err as Error).message.split('\n')[0]}`,
    ]);
  }
  say(
    `figure 5: check finished in the worker -> scoreboard cell in chromium (${BROWSER_STUDENTS} students, startStack)`,
  );
  try {
    const f = await checkToBrowserFigures(BROWSER_STUDENTS, 1, say);
    rows.push(
      [
        '5 check finished -> scoreboard cell in browser',
        `${f.observed} of ${f.checks} checks (${f.students} runs, ${f.disruptive ? 'disruptive' : 'non-disruptive'}) p50 / max`,
        `${ms(f.p50)} / ${ms(f.max)}`,
      ],
      [
        '',
        "check finishedAt -> its row on the page's WebSocket p50 (server side)",
        f.checkToSocketP50 === null ? 'not seen' : ms(f.checkToSocketP50),
      ],
      [
        '',
        'of which finishedAt -> check-finished NOTIFY heard (worker) / NOTIFY -> WebSocket row (api) p50',
        `${f.checkToNotifyP50 === null ? 'not seen' : ms(f.checkToNotifyP50)} / ${f.notifyToSocketP50 === null ? 'not seen' : ms(f.notifyToSocketP50)}`,
      ],
      [
        '',
        "the page's main-thread tasks over 50 ms during the round: count / total",
        `${f.longTasks.count} / ${ms(f.longTasks.ms)}`,
      ],
      ['', 'per run, its fastest check -> cell p50', ms(f.lastCheckP50)],
      [
        '',
        'run finished -> its first cell change p50 (negative: before the run ended)',
        ms(f.runFinishedP50),
      ],
      [
        '',
        "run finished -> its first row on the page's WebSocket p50",
        f.runFinishedToSocketP50 === null ? 'not seen' : ms(f.runFinishedToSocketP50),
      ],
    );
  } catch (err) {
    rows.push([
      '5 check finished -> scoreboard cell in browser',
      'latency p50 / max',
      `not measured: ${(err as Error).message.split('\n')[0]}`,
    ]);
  }
  const before = rows.length;
  await figure2();
  rows.splice(figure2At, 0, ...rows.splice(before));
  say(`figure 6: the live lab for ${LIVE_NAMESPACES} active namespaces, ${LIVE_SECONDS} s`);
  try {
    for (const [measure, value] of liveLabRows(await liveLabFigures(LIVE_NAMESPACES, LIVE_SECONDS)))
      rows.push([
        measure.startsWith('6 live lab, ') ? measure : '',
        measure.replace(/^6 live lab(, \d+ namespaces)?: /, ''),
        value,
      ]);
  } catch (err) {
    rows.push([
      '6 live lab',
      'API requests and CPU per minute',
      `not measured: ${(err as Error).message.split('\n')[0]}`,
    ]);
  }
  const text = markdownTable(['figure', 'measure', 'value'], rows);
  process.stdout.write(`${text}\n${speedLine}\n`);
  const cpu = cpus();
  const machine = `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}, Node ${process.version}`;
  // Sections other bench scripts record (`## ...`, e.g. bench/real-cluster.ts) are kept.
  const resultsFile = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  const kept = previous.includes('\n## ') ? `\n${previous.slice(previous.indexOf('\n## ') + 1)}` : '';
  writeFileSync(
    resultsFile,
    `# Benchmark results\n\nRecorded by \`npm run bench\` on ${new Date().toISOString()}.\n\nMachine: ${machine}.\nSettings: BENCH_NAMESPACES=${N}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_RECREATE_DELAY_MS=${RECREATE_DELAY_MS}, BENCH_SUBMIT_STUDENTS=${SUBMIT_STUDENTS}, BENCH_BROWSER_STUDENTS=${BROWSER_STUDENTS}.\n\n${text}\n\n${speedLine}\n${kept}`,
  );
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });

// `npm run bench`: Kubegrade's figures, side by side in one run, printed as a table and recorded in
// bench/RESULTS.md with the machine and the date. Figures only: nothing here passes or fails.
//   BENCH_NAMESPACES (default 500)  namespaces for the bulk regrade (figure 2)
//   BENCH_CONCURRENCY (default 4)    graders at once (the worker's WORKER_CONCURRENCY)
//   BENCH_RECREATE_DELAY_MS (2000)   how long kube-sim takes to re-create a deleted pod
//   BENCH_SUBMIT_STUDENTS (500)      students in the submit storm (figure 3)
//   BENCH_BROWSER_STUDENTS (6)       students on the scoreboard watched in chromium (figure 5)
import { execFile } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { grade, kubeConfigFrom, loadLabById, type RunResult } from '@kubegrade/grader';
import { loadGeneratedClass, startSimCluster, waitForReady } from '../scripts/sim-cluster.ts';
import { scoreboardFigures } from './scoreboard.ts';
import { submitStormFigures } from './submit-storm.ts';
import { checkToBrowserFigures } from './check-to-browser.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.BENCH_NAMESPACES ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const RECREATE_DELAY_MS = Number(process.env.BENCH_RECREATE_DELAY_MS ?? 2000);
const SUBMIT_STUDENTS = Number(process.env.BENCH_SUBMIT_STUDENTS ?? 500);
const BROWSER_STUDENTS = Number(process.env.BENCH_BROWSER_STUDENTS ?? 6);
const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

/** Lab B's non-disruptive checks: the four the kubectl script makes too. */
const CHECKS = ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns'] as const;

type Row = [figure: string, measure: string, value: string];
const rows: Row[] = [];

/** Figure 1: one namespace, lab B's non-disruptive checks: kubectl+jq script vs Kubegrade warm and cold. */
async function figure1(): Promise<string> {
  let requests = 0;
  let counting = false;
  const cluster = await startSimCluster({ sim: { onRequest: () => void (counting && requests++) } });
  try {
    const [ns] = (await loadGeneratedClass(cluster.sim, { lab: 'redis-exist-pvc', students: 1, mistakes: [null], namespacePrefix: 'bench-' })).students.map((s) => s.namespace);
    await waitForReady(cluster.sim, [ns!]);
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
    const script = async () => run('bash', [`${ROOT}bench/kubectl-grader.sh`, ns!], { env });
    const first = await script();
    if (!/PASS headless-dns/.test(first.stdout)) throw new Error(`the kubectl script does not pass a correct namespace:\n${first.stdout}`);
    const scriptTimes: number[] = [];
    for (let i = 0; i < 5; i++) scriptTimes.push((await timed(script))[0]);

    const lab = loadLabById('redis-exist-pvc');
    const kubeConfig = kubeConfigFrom({ kubeconfig: cluster.kubeconfig });
    const once = () => grade({ lab, namespace: ns!, kubeConfig, disruptive: false, only: [...CHECKS] });
    const warmup: RunResult = await once();
    if (warmup.status !== 'passed') throw new Error(`Kubegrade does not pass the correct namespace: ${JSON.stringify(warmup.checks.map((c) => [c.id, c.status]))}`);
    const warm: number[] = [];
    counting = true;
    for (let i = 0; i < 10; i++) warm.push((await timed(once))[0]);
    counting = false;
    const perRun = requests / 10;

    const cold: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [t] = await timed(() =>
        run(process.execPath, ['--import', 'tsx', 'packages/grader/src/cli.ts', 'grade', '--lab', 'redis-exist-pvc', '-n', ns!, '--kubeconfig', cluster.kubeconfig, '--no-disruptive', '--only', CHECKS.join(','), '--format', 'json'], { cwd: ROOT }),
      );
      cold.push(t);
    }
    const speedup = median(scriptTimes) / median(warm);
    rows.push(
      ['1 one namespace, lab B non-disruptive', 'bash + kubectl + jq script (median of 5)', ms(median(scriptTimes))],
      ['', 'Kubegrade warm, in-process grade again (median of 10)', ms(median(warm))],
      ['', 'Kubegrade cold, `kubegrade grade` process (median of 3)', ms(median(cold))],
      ['', 'API requests per Kubegrade run', perRun.toFixed(1)],
      ['', 'speedup vs kubectl script (warm)', `${speedup.toFixed(1)}x`],
    );
    return `speedup vs kubectl script: ${speedup.toFixed(1)}x`;
  } finally {
    await cluster.stop();
  }
}

/** Figure 2: regrade N namespaces with every check (the pod-delete one too), CONCURRENCY at once. */
async function figure2(): Promise<void> {
  let requests = 0;
  let counting = false;
  const cluster = await startSimCluster({ sim: { onRequest: () => void (counting && requests++) } });
  try {
    const spec = await loadGeneratedClass(cluster.sim, { lab: 'redis-exist-pvc', students: N, mistakes: [null], namespacePrefix: 'bulk-' });
    const namespaces = spec.students.map((s) => s.namespace);
    say(`figure 2: waiting for ${N} Redis pods...`);
    await waitForReady(cluster.sim, namespaces, 600_000);
    cluster.sim.faults.set({ recreateDelayMs: RECREATE_DELAY_MS });
    const lab = loadLabById('redis-exist-pvc');
    const kubeConfig = kubeConfigFrom({ kubeconfig: cluster.kubeconfig });
    const queue = [...namespaces];
    const statuses = new Map<string, number>();
    counting = true;
    const [total] = await timed(() =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let ns = queue.shift(); ns; ns = queue.shift()) {
            const r = await grade({ lab, namespace: ns, kubeConfig, disruptive: true });
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          }
        }),
      ),
    );
    counting = false;
    const bound = Math.ceil(N / CONCURRENCY) * RECREATE_DELAY_MS;
    rows.push(
      [`2 regrade ${N} namespaces, all checks`, `total (${CONCURRENCY} at once, pods re-created after ${RECREATE_DELAY_MS} ms)`, `${(total / 1000).toFixed(1)} s`],
      ['', 'lower bound ceil(N / concurrency) x delay', `${(bound / 1000).toFixed(1)} s`],
      ['', 'API requests per namespace', (requests / N).toFixed(1)],
      ['', 'run results', [...statuses].map(([k, v]) => `${v} ${k}`).join(', ')],
    );
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  say('figure 1: one namespace, kubectl script vs Kubegrade');
  const speedLine = await figure1();
  await figure2();
  say(`figure 3: ${SUBMIT_STUDENTS} students submitting within 5 s (api over real HTTP, PostgreSQL at PG_TEST_URL, no worker)`);
  try {
    const f = await submitStormFigures(SUBMIT_STUDENTS, 5000, 10, say);
    const fig = `3 ${f.students} students submit within ${f.windowMs / 1000} s`;
    rows.push(
      [fig, `requests (every 10th student twice), no worker: runs stay QUEUED`, `${f.requests} in ${f.windowMs / 1000} s, last answer after ${(f.spanMs / 1000).toFixed(1)} s`],
      ['', 'accepted (new run) / duplicates (joined) / lost', `${f.accepted} / ${f.joined} / ${f.lost}${f.extraRuns ? `, ${f.extraRuns} duplicate runs created` : ''}`],
      ['', 'submitRun mutation p50 / p99 / max', `${ms(f.p50)} / ${ms(f.p99)} / ${ms(f.max)}`],
    );
    for (const l of f.lostDetail.slice(0, 5)) say(`figure 3 lost: ${l}`);
  } catch (err) {
    rows.push([`3 ${SUBMIT_STUDENTS} students submit within 5 s`, 'accepted / duplicates / lost, submit p50/p99', `not measured: ${(err as Error).message.split('\n')[0]}`]);
  }
  say('figure 4: scoreboard and CSV over 500 students x 5 checks x 20 runs (PostgreSQL at PG_TEST_URL)');
  try {
    const f = await scoreboardFigures(500, 20, 20);
    rows.push(
      [`4 scoreboard + CSV, ${f.students} students, ${f.runs} runs`, 'GraphQL scoreboard (all rows) p50 / p95, size', `${ms(f.graphql.p50)} / ${ms(f.graphql.p95)}, ${(f.graphql.bytes / 1024).toFixed(0)} KiB`],
      ['', 'CSV export p50 / p95, size', `${ms(f.csv.p50)} / ${ms(f.csv.p95)}, ${(f.csv.bytes / 1024).toFixed(0)} KiB`],
    );
  } catch (err) {
    rows.push(['4 scoreboard + CSV', 'p50/p95 server time, response size', `not measured: ${(err as Error).message.split('\n')[0]}`]);
  }
  say(`figure 5: check finished in the worker -> scoreboard cell in chromium (${BROWSER_STUDENTS} students, startStack)`);
  try {
    const f = await checkToBrowserFigures(BROWSER_STUDENTS, 1, say);
    rows.push(
      ['5 check finished -> scoreboard cell in browser', `${f.observed} of ${f.checks} checks (${f.students} runs, ${f.disruptive ? 'disruptive' : 'non-disruptive'}) p50 / max`, `${ms(f.p50)} / ${ms(f.max)}`],
      ['', "each run's last check -> cell p50", ms(f.lastCheckP50)],
      ['', 'run finished (row published) -> cell p50', ms(f.runFinishedP50)],
      ['', 'run finished -> row on the page\'s WebSocket p50', f.runFinishedToSocketP50 === null ? 'not seen' : ms(f.runFinishedToSocketP50)],
    );
  } catch (err) {
    rows.push(['5 check finished -> scoreboard cell in browser', 'latency p50 / max', `not measured: ${(err as Error).message.split('\n')[0]}`]);
  }
  const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 6));
  const table = rows.map((r) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`);
  const header = `| ${['figure', 'measure', 'value'].map((c, i) => c.padEnd(width[i]!)).join(' | ')} |\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const text = `${header}\n${table.join('\n')}`;
  process.stdout.write(`${text}\n${speedLine}\n`);
  const cpu = cpus();
  const machine = `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}, Node ${process.version}`;
  writeFileSync(
    fileURLToPath(new URL('./RESULTS.md', import.meta.url)),
    `# Benchmark results\n\nRecorded by \`npm run bench\` on ${new Date().toISOString()}.\n\nMachine: ${machine}.\nSettings: BENCH_NAMESPACES=${N}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_RECREATE_DELAY_MS=${RECREATE_DELAY_MS}, BENCH_SUBMIT_STUDENTS=${SUBMIT_STUDENTS}, BENCH_BROWSER_STUDENTS=${BROWSER_STUDENTS}.\n\n${text}\n\n${speedLine}\n`,
  );
}

main().then(() => process.exit(0)).catch((err: unknown) => {
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});

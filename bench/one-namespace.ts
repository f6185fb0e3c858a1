// Figure 1: one namespace, lab B's four non-disruptive checks: the kubectl+jq script vs Kubegrade
// warm (grade() again in a warm process) and cold (a `kubegrade grade` process: the installed
// command, which runs the built bundle, as a student or CI job would), all in one run, with
// `kubegrade --help` and a bare `node -e 0` start-up beside them so a loaded machine shows.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { grade, kubeConfigFrom, loadLabById, type RunResult } from '@kubegrade/grader';
import { buildCli } from '../packages/grader/build.ts';
import { loadGeneratedClass, startSimCluster, waitForReady } from '../scripts/sim-cluster.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The `kubegrade` command (package.json bin), which runs packages/grader/dist/cli.js. */
const KUBEGRADE = `${ROOT}packages/grader/bin/kubegrade.js`;

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

export async function times(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await timed(fn))[0]);
  return out;
}

/** `kubegrade grade` as its own process (the built bundle), lab B's checks of `CHECKS`, JSON out. */
export function kubegradeGrade(namespace: string, kubeconfig: string) {
  return run(
    process.execPath,
    [
      KUBEGRADE,
      'grade',
      '--lab',
      'redis-exist-pvc',
      '-n',
      namespace,
      '--kubeconfig',
      kubeconfig,
      '--no-disruptive',
      '--only',
      CHECKS.join(','),
      '--format',
      'json',
    ],
    { cwd: ROOT },
  );
}

/** Lab B's non-disruptive checks: the four the kubectl script makes too. */
export const CHECKS = ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns'] as const;

export type Row = [figure: string, measure: string, value: string];

/** Figure 1's rows and its summary line (`speedup vs kubectl script: <N>x`, warm). */
export async function oneNamespaceFigures(): Promise<{ rows: Row[]; speedLine: string }> {
  await buildCli();
  let requests = 0;
  let counting = false;
  const cluster = await startSimCluster({ sim: { onRequest: () => void (counting && requests++) } });
  try {
    const [ns] = (
      await loadGeneratedClass(cluster.sim, {
        lab: 'redis-exist-pvc',
        students: 1,
        mistakes: [null],
        namespacePrefix: 'bench-',
      })
    ).students.map((s) => s.namespace);
    await waitForReady(cluster.sim, [ns!]);
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
    const script = async () => run('bash', [`${ROOT}bench/kubectl-grader.sh`, ns!], { env });
    const first = await script();
    if (!/PASS headless-dns/.test(first.stdout))
      throw new Error(`the kubectl script does not pass a correct namespace:\n${first.stdout}`);
    const scriptTimes = await times(5, script);

    const lab = loadLabById('redis-exist-pvc');
    const kubeConfig = kubeConfigFrom({ kubeconfig: cluster.kubeconfig });
    const once = () => grade({ lab, namespace: ns!, kubeConfig, disruptive: false, only: [...CHECKS] });
    const warmup: RunResult = await once();
    if (warmup.status !== 'passed')
      throw new Error(
        `Kubegrade does not pass the correct namespace: ${JSON.stringify(warmup.checks.map((c) => [c.id, c.status]))}`,
      );
    counting = true;
    const warm = await times(10, once);
    counting = false;
    const perRun = requests / 10;

    const coldGrade = () => kubegradeGrade(ns!, cluster.kubeconfig);
    const checked = JSON.parse((await coldGrade()).stdout) as { status: string };
    if (checked.status !== 'passed')
      throw new Error(`\`kubegrade grade\` does not pass the correct namespace: ${JSON.stringify(checked)}`);
    const cold = await times(5, coldGrade);
    const help = await times(5, () => run(process.execPath, [KUBEGRADE, '--help']));
    const bare = await times(5, () => run(process.execPath, ['-e', '0']));
    // The script again, interleaved in time with the cold runs, so the ratio compares like with like.
    const scriptAfter = await times(5, script);
    const scriptAll = [...scriptTimes, ...scriptAfter];

    const speedup = median(scriptAll) / median(warm);
    const coldRatio = median(scriptAll) / median(cold);
    return {
      rows: [
        [
          '1 one namespace, lab B non-disruptive',
          'bash + kubectl + jq script (median of 10, before and after the cold runs)',
          ms(median(scriptAll)),
        ],
        ['', 'Kubegrade warm, in-process grade again (median of 10)', ms(median(warm))],
        ['', 'Kubegrade cold, `kubegrade grade` process, built bundle (median of 5)', ms(median(cold))],
        [
          '',
          'cold `kubegrade grade` vs kubectl script',
          `${coldRatio.toFixed(1)}x ${coldRatio >= 1 ? 'faster' : 'slower'}`,
        ],
        ['', '`kubegrade --help` process (median of 5)', ms(median(help))],
        ['', 'bare `node -e 0` start-up (median of 5)', ms(median(bare))],
        ['', 'API requests per Kubegrade run', perRun.toFixed(1)],
        ['', 'speedup vs kubectl script (warm)', `${speedup.toFixed(1)}x`],
      ],
      speedLine: `speedup vs kubectl script: ${speedup.toFixed(1)}x`,
    };
  } finally {
    await cluster.stop();
  }
}

// `npx tsx bench/one-namespace.ts`: this figure alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  oneNamespaceFigures().then(
    (f) => {
      for (const r of f.rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
      process.stdout.write(`${f.speedLine}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

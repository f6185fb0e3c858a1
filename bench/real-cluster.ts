// Figures 1 and 2 on the real single-node cluster (packages/cluster: kube-apiserver, kubelet,
// containerd), beside the kube-sim ones: one namespace graded non-disruptively (the kubectl+jq
// script vs Kubegrade warm and cold), and the pod re-creation time that is the physical floor of
// the persistence check (a graceful delete, then a new pod Ready), with the check's own duration.
//   npx tsx bench/real-cluster.ts, or npm run bench -- --cluster real   (root; builds or reuses the
//   cluster; records its section in RESULTS.md)
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { grade, kubeConfigFrom, loadLabById } from '@kubegrade/grader';
import {
  applyScenario,
  kubeTarget,
  podReady,
  STS_B,
  studentObjects,
} from '../packages/grader/test/scenarios/index.ts';
import { buildCli } from '../packages/grader/build.ts';
import { CHECKS, kubegradeGrade, median, ms, times } from './one-namespace.ts';
import { startCluster } from '../packages/cluster/src/index.ts';
import { markdownTable } from './markdown.ts';
import { execInPod } from '../packages/grader/src/kube/exec.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NS = 'bench-real';

/** Measures figures 1 and 2 on the real cluster, prints them and records them in RESULTS.md. */
export async function realClusterFigures(): Promise<void> {
  await buildCli();
  const cluster = await startCluster({ log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
  const rows: [string, string][] = [];
  const load = () => loadavg()[0]!.toFixed(1);
  try {
    const kc = kubeConfigFrom({ kubeconfig: cluster.kubeconfig });
    const { objects } = studentObjects('redis-exist-pvc', NS, null);
    await applyScenario(kubeTarget(kc, { timeMultiplier: 3 }), {
      lab: 'redis-exist-pvc',
      namespace: NS,
      title: 'correct',
      steps: [{ apply: objects }, podReady(NS, `${STS_B}-0`)],
      expect: {},
      redisPods: 1,
    });
    const loadStart = load();

    // Figure 1: the script uses the cluster's own kubectl (first on PATH).
    const env = {
      ...process.env,
      KUBECONFIG: cluster.kubeconfig,
      PATH: `${dirname(cluster.binaries.kubectl)}:${process.env.PATH}`,
    };
    const script = () => run('bash', [`${ROOT}bench/kubectl-grader.sh`, NS], { env });
    if (!/PASS headless-dns/.test((await script()).stdout))
      throw new Error('the kubectl script does not pass a correct namespace on the real cluster');
    const lab = loadLabById('redis-exist-pvc');
    const once = () => grade({ lab, namespace: NS, kubeConfig: kc, disruptive: false, only: [...CHECKS] });
    const first = await once();
    if (first.status !== 'passed')
      throw new Error(
        `Kubegrade does not pass the correct namespace: ${JSON.stringify(first.checks.map((c) => [c.id, c.status, c.message]))}`,
      );
    const scriptTimes = await times(5, script);
    const warm = await times(10, once);
    const cold = await times(5, () => kubegradeGrade(NS, cluster.kubeconfig));
    scriptTimes.push(...(await times(5, script)));
    rows.push(
      ['1 real cluster: bash + kubectl + jq script (median of 10)', ms(median(scriptTimes))],
      ['1 real cluster: Kubegrade warm, grade() again (median of 10)', ms(median(warm))],
      ['1 real cluster: Kubegrade cold, `kubegrade grade` process (median of 5)', ms(median(cold))],
      [
        '1 real cluster: speedup vs kubectl script (warm / cold)',
        `${(median(scriptTimes) / median(warm)).toFixed(1)}x / ${(median(scriptTimes) / median(cold)).toFixed(1)}x`,
      ],
    );

    // Figure 2's floor: a graceful delete of pod 0, then a pod with a new uid Ready.
    const k = (...args: string[]) => cluster.kubectl(args);
    const pod = `${STS_B}-0`;
    const recreate: number[] = [];
    for (let i = 0; i < 5; i++) {
      const uid = (await k('get', 'pod', pod, '-n', NS, '-o', 'jsonpath={.metadata.uid}')).trim();
      const t = performance.now();
      await k('delete', 'pod', pod, '-n', NS, '--wait=false');
      for (;;) {
        const out = await k(
          'get',
          'pod',
          pod,
          '-n',
          NS,
          '-o',
          'jsonpath={.metadata.uid} {.status.conditions[?(@.type=="Ready")].status}',
        ).catch(() => '');
        const [now, ready] = out.trim().split(' ');
        if (now && now !== uid && ready === 'True') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      recreate.push(performance.now() - t);
    }
    const persistence = await times(3, async () => {
      const r = await grade({
        lab,
        namespace: NS,
        kubeConfig: kc,
        disruptive: true,
        only: ['redis-persistence'],
      });
      if (r.checks[0]?.status !== 'pass')
        throw new Error(`redis-persistence did not pass: ${r.checks[0]?.message}`);
    });
    // What each exec the check sends costs here (it sends two: its redis-cli commands go on stdin).
    const exec = await times(10, () =>
      execInPod(kc, {
        namespace: NS,
        pod,
        container: 'redis',
        command: ['redis-cli', 'PING'],
        timeoutMs: 20_000,
      }),
    );
    rows.push(
      [
        '2 real cluster: pod re-creation, graceful delete -> new pod Ready (median of 5, min-max)',
        `${ms(median(recreate))} (${ms(Math.min(...recreate))}-${ms(Math.max(...recreate))})`,
      ],
      ['2 real cluster: redis-persistence check, one namespace (median of 3)', ms(median(persistence))],
      ['2 real cluster: one exec into the pod, `redis-cli PING` (median of 10)', ms(median(exec))],
      ['machine load (1-min average) at start / end', `${loadStart} / ${load()}`],
    );
  } finally {
    const left = await cluster.stop();
    if (left.length) process.stderr.write(`the cluster's down left: ${left.join('; ')}\n`);
  }
  const table = markdownTable(['measure', 'value'], rows);
  process.stdout.write(`${table}\n`);
  const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const section = `## Real cluster (figures 1 and 2)\n\nMeasured ${new Date().toISOString().slice(0, 16)}Z by \`npx tsx bench/real-cluster.ts\` on the single-node cluster of packages/cluster (Kubernetes ${cluster.binaries.kubectl.match(/kubernetes-(v[\d.]+)/)?.[1] ?? ''}, containerd 1.6, runc), 2 cores; the chapter's StatefulSet (readiness probe \`redis-cli ping\`, initialDelaySeconds 5, periodSeconds 5). kube-sim re-creates a pod after a configured delay (BENCH_RECREATE_DELAY_MS, 2000 ms by default); a real kubelet needs the time below.\n\n${table}\n`;
  const old = readFileSync(file, 'utf8');
  const at = old.indexOf('## Real cluster (figures 1 and 2)');
  writeFileSync(file, at >= 0 ? old.slice(0, at) + section : `${old.trimEnd()}\n\n${section}`);
}

// `npx tsx bench/real-cluster.ts` (or `npm run bench -- --cluster real`).
if (import.meta.url === `file://${process.argv[1]}`) {
  realClusterFigures().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}

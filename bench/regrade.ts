// Figure 2: regrade N namespaces with every check (the pod-delete one too), `concurrency` at once,
// on kube-sim with real redis-server pods that kube-sim re-creates after a fixed delay. This drives
// the grading engine directly with the worker's concurrency, not through the queue; the total is
// compared with the lower bound ceil(N / concurrency) x delay.
import { grade, kubeConfigFrom, loadLabById } from '@kubegrade/grader';
import { loadGeneratedClass, startSimCluster, waitForReady } from '../scripts/sim-cluster.ts';

/** What one bulk regrade measured. */
export interface RegradeFigures {
  namespaces: number;
  concurrency: number;
  recreateDelayMs: number;
  totalMs: number;
  boundMs: number;
  requestsPerNamespace: number;
  statuses: Record<string, number>;
}

/** Starts kube-sim with `n` correct namespaces, then regrades them all at each of `concurrencies`. */
export async function regradeFigures(
  n: number,
  concurrencies: number[],
  recreateDelayMs: number,
  log: (s: string) => void = () => {},
): Promise<RegradeFigures[]> {
  let requests = 0;
  let counting = false;
  const cluster = await startSimCluster({ sim: { onRequest: () => void (counting && requests++) } });
  try {
    const spec = await loadGeneratedClass(cluster.sim, {
      lab: 'redis-exist-pvc',
      students: n,
      mistakes: [null],
      namespacePrefix: 'bulk-',
    });
    const namespaces = spec.students.map((s) => s.namespace);
    log(`figure 2: waiting for ${n} Redis pods...`);
    await waitForReady(cluster.sim, namespaces, 900_000);
    cluster.sim.faults.set({ recreateDelayMs });
    const lab = loadLabById('redis-exist-pvc');
    const kubeConfig = kubeConfigFrom({ kubeconfig: cluster.kubeconfig });
    const out: RegradeFigures[] = [];
    for (const concurrency of concurrencies) {
      // Each pass starts from Ready pods (the previous pass's deletes re-created them).
      await waitForReady(cluster.sim, namespaces, 900_000);
      log(`figure 2: regrading ${n} namespaces, ${concurrency} at once`);
      const queue = [...namespaces];
      const statuses: Record<string, number> = {};
      requests = 0;
      counting = true;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let ns = queue.shift(); ns; ns = queue.shift()) {
            const r = await grade({ lab, namespace: ns, kubeConfig, disruptive: true });
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          }
        }),
      );
      const totalMs = performance.now() - t;
      counting = false;
      out.push({
        namespaces: n,
        concurrency,
        recreateDelayMs,
        totalMs,
        boundMs: Math.ceil(n / concurrency) * recreateDelayMs,
        requestsPerNamespace: requests / n,
        statuses,
      });
    }
    return out;
  } finally {
    await cluster.stop();
  }
}

// `npx tsx bench/regrade.ts [namespaces] [concurrency,...] [delay ms]`: this figure alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 500);
  const conc = (process.argv[3] ?? '4,32').split(',').map(Number);
  regradeFigures(n, conc, Number(process.argv[4] ?? 2000), (s) => process.stderr.write(`${s}\n`)).then(
    (f) => {
      process.stdout.write(
        `${JSON.stringify(
          f.map((x) => ({ ...x, ratio: x.totalMs / x.boundMs })),
          null,
          2,
        )}\n`,
      );
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

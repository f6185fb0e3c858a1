// Figure 2: regrade N namespaces with every check (the pod-delete one too), `concurrency` at once,
// on kube-sim with real redis-server pods that kube-sim re-creates after a fixed delay. kube-sim runs
// in a process of its own (bench/sim-process.ts), as a cluster is never inside the worker. This
// drives the grading engine directly with the worker's concurrency, not through the queue; the
// total is compared with the lower bound ceil(N / concurrency) x delay.
import { grade, kubeConfigFrom, loadLabById } from '@kubegrade/grader';
import { startSimProcess } from './sim-process.ts';

/** What one bulk regrade measured. */
export interface RegradeFigures {
  namespaces: number;
  concurrency: number;
  recreateDelayMs: number;
  totalMs: number;
  boundMs: number;
  requestsPerNamespace: number;
  /** CPU of the grading side (this process) and of kube-sim (its own process), per namespace. */
  graderCpuMsPerNamespace: number;
  simCpuMsPerNamespace: number;
  statuses: Record<string, number>;
}

/** Starts kube-sim with `n` correct namespaces, then regrades them all at each of `concurrencies`. */
export async function regradeFigures(
  n: number,
  concurrencies: number[],
  recreateDelayMs: number,
  log: (s: string) => void = () => {},
): Promise<RegradeFigures[]> {
  const sim = await startSimProcess();
  try {
    const namespaces = await sim.loadClass('redis-exist-pvc', n, 'bulk-');
    log(`figure 2: waiting for ${n} Redis pods...`);
    await sim.waitForReady(namespaces, 900_000);
    await sim.setFaults({ recreateDelayMs });
    const lab = loadLabById('redis-exist-pvc');
    const kubeConfig = kubeConfigFrom({ kubeconfig: sim.kubeconfig });
    const out: RegradeFigures[] = [];
    for (const concurrency of concurrencies) {
      // Each pass starts from Ready pods (the previous pass's deletes re-created them).
      await sim.waitForReady(namespaces, 900_000);
      log(`figure 2: regrading ${n} namespaces, ${concurrency} at once`);
      const queue = [...namespaces];
      const statuses: Record<string, number> = {};
      await sim.counters();
      const ownCpu = process.cpuUsage();
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
      const used = process.cpuUsage(ownCpu);
      const { requests, cpuMs } = await sim.counters();
      out.push({
        namespaces: n,
        concurrency,
        recreateDelayMs,
        totalMs,
        boundMs: Math.ceil(n / concurrency) * recreateDelayMs,
        requestsPerNamespace: requests / n,
        graderCpuMsPerNamespace: (used.user + used.system) / 1000 / n,
        simCpuMsPerNamespace: cpuMs / n,
        statuses,
      });
    }
    return out;
  } finally {
    await sim.stop();
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

// kube-sim in a process of its own for figure 2: the grading engine (the worker's side) and the
// cluster do not share an event loop, as a worker and a real cluster never do. Over IPC the parent
// loads a generated class, waits for its pods, sets faults and reads the request count and the
// process's CPU time.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FaultSettings, Lab } from '@kubegrade/kube-sim';

/** A running kube-sim process. */
export interface SimProcess {
  kubeconfig: string;
  /** Applies a correct class of `students` namespaces `${prefix}001`...; resolves with their names. */
  loadClass(lab: string, students: number, prefix: string): Promise<string[]>;
  waitForReady(namespaces: string[], timeoutMs: number): Promise<void>;
  setFaults(faults: Partial<FaultSettings>): Promise<void>;
  /** API requests served and CPU used (ms) since the previous call. */
  counters(): Promise<{ requests: number; cpuMs: number }>;
  stop(): Promise<void>;
}

type Request =
  | { type: 'loadClass'; lab: string; students: number; prefix: string }
  | { type: 'waitForReady'; namespaces: string[]; timeoutMs: number }
  | { type: 'setFaults'; faults: Partial<FaultSettings> }
  | { type: 'counters' }
  | { type: 'stop' };
type Answer = { ok: true; value: unknown } | { ok: false; message: string };

/** Forks kube-sim with real redis-server pods (as scripts/sim-cluster.ts starts it). */
export async function startSimProcess(): Promise<SimProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: { resolve: (a: Answer) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (a: Answer) => waiters.shift()?.resolve(a));
  child.on('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`the kube-sim process exited (code ${code})`));
  });
  // One request at a time: answers come back in order.
  let chain: Promise<unknown> = Promise.resolve();
  const call = <T>(request: Request | { type: 'start' }): Promise<T> => {
    const result = chain.then(async () => {
      const answer = new Promise<Answer>((resolve, reject) => waiters.push({ resolve, reject }));
      if (request.type !== 'start') child.send(request);
      const a = await answer;
      if (!a.ok) throw new Error(`kube-sim process: ${a.message}`);
      return a.value as T;
    });
    chain = result.catch(() => undefined);
    return result;
  };
  const kubeconfig = await call<string>({ type: 'start' });
  return {
    kubeconfig,
    loadClass: (lab, students, prefix) => call({ type: 'loadClass', lab, students, prefix }),
    waitForReady: (namespaces, timeoutMs) => call({ type: 'waitForReady', namespaces, timeoutMs }),
    setFaults: (faults) => call({ type: 'setFaults', faults }),
    counters: () => call({ type: 'counters' }),
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

async function child(): Promise<void> {
  const { loadGeneratedClass, startSimCluster, waitForReady } = await import('../scripts/sim-cluster.ts');
  let requests = 0;
  const cluster = await startSimCluster({ sim: { onRequest: () => void requests++ } });
  let cpu = process.cpuUsage();
  const handle = async (m: Request): Promise<unknown> => {
    switch (m.type) {
      case 'loadClass': {
        const spec = await loadGeneratedClass(cluster.sim, {
          lab: m.lab as Lab,
          students: m.students,
          mistakes: [null],
          namespacePrefix: m.prefix,
        });
        return spec.students.map((s) => s.namespace);
      }
      case 'waitForReady':
        return waitForReady(cluster.sim, m.namespaces, m.timeoutMs);
      case 'setFaults':
        cluster.sim.faults.set(m.faults);
        return undefined;
      case 'counters': {
        const used = process.cpuUsage(cpu);
        cpu = process.cpuUsage();
        const value = { requests, cpuMs: (used.user + used.system) / 1000 };
        requests = 0;
        return value;
      }
      case 'stop':
        await cluster.stop();
        process.exit(0);
    }
  };
  process.on('message', (m: Request) => {
    handle(m).then(
      (value) => process.send!({ ok: true, value }),
      (err: unknown) => process.send!({ ok: false, message: (err as Error).stack ?? String(err) }),
    );
  });
  process.send!({ ok: true, value: cluster.kubeconfig });
}

if (process.argv.includes('--child')) {
  child().catch((err: unknown) => {
    process.send?.({ ok: false, message: (err as Error).stack ?? String(err) });
    process.exit(1);
  });
}

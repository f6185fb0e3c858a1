// Figure 6: the live lab for N active namespaces. kube-sim (NullRuntime pods: always Ready, exec
// refused, so no redis-server per namespace) with a correct class of N students; the live engine
// (packages/grader's LiveEngine, the worker's default limits) runs in a child process of its own,
// so its CPU time is its own; every student "types": each namespace gets a burst of 3 applies
// (StatefulSet, Service, claim annotations) every BENCH_LIVE_BURST_SECONDS (20) on average, for
// BENCH_LIVE_SECONDS (60). Counted: the engine's API requests (kube-sim's onRequest, by verb),
// CPU seconds, evaluations, coalesced changes; and, for comparison, the lists a per-run snapshot
// would have made for the same evaluations. Recorded in RESULTS.md's "Live lab" section.
//   npx tsx bench/live-lab.ts [N]
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NullRuntime } from '@kubegrade/kube-sim';
import { loadGeneratedClass, startSimCluster, waitForReady } from '../scripts/sim-cluster.ts';

const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);

/** What the engine's child process reports. */
export interface EngineReport {
  cpuMs: number;
  rssMiB: number;
  stats: {
    changes: number;
    coalesced: number;
    evaluations: number;
    execEvaluations: number;
    execDeferred: number;
    ignored: number;
  };
  states: number;
  live: boolean;
}

/** The figure's numbers. */
export interface LiveLabFigures {
  namespaces: number;
  seconds: number;
  applies: number;
  /** Initial sync: lists and watches, time until every namespace had a verdict. */
  initial: { requests: Record<string, number>; ms: number; cpuMs: number };
  /** During the active phase, per minute. */
  perMinute: {
    requests: Record<string, number>;
    cpuSeconds: number;
    evaluations: number;
    changes: number;
    coalesced: number;
  };
  /** Lists a per-run snapshot Cluster makes per evaluation of lab B's non-disruptive checks (7 kinds). */
  snapshotListsPerMinute: number;
  rssMiB: number;
  load: [number, number];
}

function ask(child: ChildProcess): Promise<EngineReport> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as EngineReport));
    child.send('report');
  });
}

const count = (xs: string[]) =>
  xs.reduce<Record<string, number>>((acc, v) => ((acc[v] = (acc[v] ?? 0) + 1), acc), {});

/** Runs figure 6 for `n` namespaces over `seconds` of activity. */
export async function liveLabFigures(n: number, seconds: number, burstSeconds = 20): Promise<LiveLabFigures> {
  const load0 = loadavg()[0]!;
  let phase: 'setup' | 'initial' | 'active' = 'setup';
  const seen: Record<'initial' | 'active', string[]> = { initial: [], active: [] };
  const cluster = await startSimCluster({
    sim: {
      podReadyDelayMs: 20,
      onRequest: (r) =>
        void (
          phase !== 'setup' &&
          seen[phase].push(`${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ''}`)
        ),
    },
    wrapRuntime: () => new NullRuntime(),
  });
  let child: ChildProcess | undefined;
  try {
    const spec = await loadGeneratedClass(cluster.sim, {
      lab: 'redis-exist-pvc',
      students: n,
      mistakes: [null],
      namespacePrefix: 'live-',
    });
    const namespaces = spec.students.map((s) => s.namespace);
    say(`figure 6: waiting for ${n} pods...`);
    await waitForReady(cluster.sim, namespaces, 600_000);
    await cluster.sim.settle();
    phase = 'initial';
    const t0 = performance.now();
    child = fork(
      fileURLToPath(new URL('./live-lab-engine.ts', import.meta.url)),
      [JSON.stringify({ kubeconfig: cluster.kubeconfig, namespaces })],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let r0 = await ask(child);
    while (r0.states < n) {
      await new Promise((r) => setTimeout(r, 250));
      r0 = await ask(child);
    }
    const initialMs = performance.now() - t0;
    say(
      `figure 6: ${n} namespaces evaluated once in ${(initialMs / 1000).toFixed(1)} s; ${seconds} s of students applying...`,
    );
    phase = 'active';
    // Each student applies a burst of 3 changes at a pseudo-random moment of every burst period.
    let applies = 0;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const end = Date.now() + seconds * 1000;
    const timers: NodeJS.Timeout[] = [];
    const objectsOf = new Map(
      spec.students.map((st) => [
        st.namespace,
        st.objects.filter((o) => ['StatefulSet', 'Service', 'PersistentVolumeClaim'].includes(o.kind)),
      ]),
    );
    let failures = 0;
    const burst = async (ns: string, i: number) => {
      // The student re-applies their manifests with an edit (an annotation), one object at a time.
      for (const o of objectsOf.get(ns) ?? []) {
        const edited = {
          ...o,
          metadata: {
            ...o.metadata,
            annotations: {
              ...((o.metadata as { annotations?: object }).annotations ?? {}),
              'bench/edit': String(i),
            },
          },
        };
        try {
          await cluster.sim.apply(edited as never, { namespace: ns });
          applies++;
        } catch (err) {
          if (failures++ === 0) say(`figure 6: an apply failed: ${(err as Error).message}`);
        }
      }
    };
    const schedule = (ns: string, at: number, i: number) => {
      if (at > end) return;
      timers.push(
        setTimeout(() => {
          void burst(ns, i);
          schedule(ns, at + burstSeconds * 1000, i + 1);
        }, at - Date.now()),
      );
    };
    for (const ns of namespaces) schedule(ns, Date.now() + rand() * burstSeconds * 1000, 0);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    for (const t of timers) clearTimeout(t);
    // Let the last evaluations finish.
    await new Promise((r) => setTimeout(r, 3000));
    const r1 = await ask(child);
    const minutes = (seconds + 3) / 60;
    const per = (x: number) => x / minutes;
    const perMinuteRequests = Object.fromEntries(
      Object.entries(count(seen.active)).map(([k, v]) => [k, Math.round(per(v))]),
    );
    const evaluations = r1.stats.evaluations - r0.stats.evaluations;
    return {
      namespaces: n,
      seconds,
      applies,
      initial: { requests: count(seen.initial), ms: initialMs, cpuMs: r0.cpuMs },
      perMinute: {
        requests: perMinuteRequests,
        cpuSeconds: (r1.cpuMs - r0.cpuMs) / 1000 / minutes,
        evaluations: Math.round(per(evaluations)),
        changes: Math.round(per(r1.stats.changes - r0.stats.changes)),
        coalesced: Math.round(per(r1.stats.coalesced - r0.stats.coalesced)),
      },
      snapshotListsPerMinute: Math.round(per(evaluations * 7)),
      rssMiB: r1.rssMiB,
      load: [load0, loadavg()[0]!],
    };
  } finally {
    child?.kill();
    await cluster.stop();
  }
}

/** The figure as rows of [measure, value]. */
export function liveLabRows(f: LiveLabFigures): [string, string][] {
  const fmt = (r: Record<string, number>) =>
    Object.entries(r)
      .sort()
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || 'none';
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return [
    [
      `6 live lab, ${f.namespaces} namespaces: initial sync`,
      `${total(f.initial.requests)} requests (${fmt(f.initial.requests)}), every namespace evaluated in ${(f.initial.ms / 1000).toFixed(1)} s, engine CPU ${(f.initial.cpuMs / 1000).toFixed(1)} s`,
    ],
    [
      `6 live lab: students applying (${f.applies} applies in ${f.seconds} s)`,
      `${f.perMinute.changes} changes/min seen, ${f.perMinute.coalesced} coalesced, ${f.perMinute.evaluations} evaluations/min`,
    ],
    [
      '6 live lab: engine API requests per minute',
      `${total(f.perMinute.requests)} (${fmt(f.perMinute.requests)})`,
    ],
    [
      '6 live lab: engine CPU per minute',
      `${f.perMinute.cpuSeconds.toFixed(1)} CPU s (RSS ${f.rssMiB.toFixed(0)} MiB)`,
    ],
    [
      '6 live lab: the same evaluations from per-run snapshots would list',
      `${f.snapshotListsPerMinute} times per minute`,
    ],
    [
      '6 live lab: machine load (1-min average) at start / end',
      `${f.load[0].toFixed(1)} / ${f.load[1].toFixed(1)}`,
    ],
  ];
}

function record(rows: [string, string][], f: LiveLabFigures): void {
  const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const title = '## Live lab (figure 6)';
  const section = `${title}\n\nMeasured ${new Date().toISOString().slice(0, 16)}Z by \`npx tsx bench/live-lab.ts ${f.namespaces}\`: kube-sim (NullRuntime pods, so the DNS check's exec is refused and never gated) with ${f.namespaces} correct namespaces of lab B; the live engine with the worker's defaults (coalesce 300 ms, one evaluation per namespace per 2 s, 20 evaluations/s in total) in a process of its own; every namespace gets a burst of 3 applies every 20 s on average for ${f.seconds} s.\n\n| measure | value |\n|---|---|\n${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}\n`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const at = old.indexOf(title);
  if (at >= 0) {
    const next = old.indexOf('\n## ', at + title.length);
    writeFileSync(file, old.slice(0, at) + section + (next >= 0 ? old.slice(next + 1) : ''));
  } else {
    // Before the real-cluster section, which its script rewrites to the end of the file.
    const real = old.indexOf('## Real cluster');
    writeFileSync(
      file,
      real >= 0 ? `${old.slice(0, real)}${section}\n${old.slice(real)}` : `${old.trimEnd()}\n\n${section}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? process.env.BENCH_LIVE_NAMESPACES ?? 500);
  const seconds = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
  liveLabFigures(n, seconds).then(
    (f) => {
      const rows = liveLabRows(f);
      process.stdout.write(`${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}\n`);
      record(rows, f);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}

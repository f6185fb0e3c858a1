// The live engine of figure 6 in a process of its own (so its CPU time is its own): started by
// bench/live-lab.ts with { kubeconfig, namespaces } as argv[2]; answers each 'report' message with
// its CPU time, memory and counters.
import { kubeConfigFrom, LiveEngine, loadLabById } from '@kubegrade/grader';

const { kubeconfig, namespaces } = JSON.parse(process.argv[2] ?? '{}') as {
  kubeconfig: string;
  namespaces: string[];
};
const lab = loadLabById('redis-exist-pvc');
const evaluated = new Set<string>();
const engine = new LiveEngine({
  kubeConfig: kubeConfigFrom({ kubeconfig }),
  onState: (s) => void evaluated.add(s.namespace),
});
engine.setTargets(namespaces.map((namespace) => ({ namespace, labs: [lab] })));
void engine.start();

process.on('message', (m) => {
  if (m !== 'report') return;
  const cpu = process.cpuUsage();
  process.send?.({
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    stats: { ...engine.stats },
    states: evaluated.size,
    live: engine.live,
  });
});
process.on('disconnect', () => void engine.stop().then(() => process.exit(0)));

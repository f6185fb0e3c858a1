// Child process for runtime-orphans.test.ts: run a kube-sim with a generated class and the
// real-process runtime, start some Redis servers by exec'ing into pods, print their PIDs and the
// data directory, then wait to be killed. Run with `node --import tsx`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createPodRuntime,
  generateClass,
  loadClass,
  podIsReady,
  startKubeSim,
  type KubeObject,
} from '../src/index.ts';

const students = Number(process.argv[2] ?? '20');
const withServers = Number(process.argv[3] ?? '4');
const dataDir = mkdtempSync(path.join(tmpdir(), 'kube-sim-orphan-'));
const runtime = createPodRuntime({ dataDir });
const sim = await startKubeSim({ runtime, dataDir, podReadyDelayMs: 10 });
const spec = generateClass({ students, lab: 'redis-exist-pvc', seed: 3 });
await loadClass(sim, spec);
const ready = (p: KubeObject | undefined) => p !== undefined && podIsReady(p);
const pods: KubeObject[] = [];
for (const s of spec.students.slice(0, withServers)) {
  for (;;) {
    const p = sim.view.get('pods', s.namespace, 'statefulset-redis-exist-pvc-0');
    if (p && ready(p)) {
      pods.push(p);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
const sink = () => undefined;
for (const p of pods) await runtime.exec(p, 'redis', ['redis-cli', 'ping'], { stdout: sink, stderr: sink });
process.stdout.write(`DATADIR ${dataDir}\nPIDS ${JSON.stringify(runtime.pids())}\n`);
setInterval(() => undefined, 1 << 30);

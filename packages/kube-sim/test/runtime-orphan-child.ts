// Child process for runtime-orphans.test.ts: start Redis pods, print the server PIDs, then wait
// to be killed. Run with `node --import tsx`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPodRuntime } from '../src/runtime/index.ts';
import { MemoryView, podObject, redisContainer } from './runtime-helpers.ts';

const count = Number(process.argv[2] ?? '3');
const rt = createPodRuntime({ dataDir: mkdtempSync(path.join(tmpdir(), 'kube-sim-orphan-')), view: new MemoryView(), startMode: 'eager' });
const pods = Array.from({ length: count }, (_, i) => podObject(`ns-${i}`, 'redis-0', { containers: [redisContainer()] }, `10.244.9.${i + 1}`));
await Promise.all(pods.map((p) => rt.start(p)));
process.stdout.write(`PIDS ${JSON.stringify(rt.pids())}\n`);
setInterval(() => undefined, 1 << 30);

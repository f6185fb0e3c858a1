// No orphans: a process running redis pods that dies by SIGKILL (no cleanup code runs) must not
// leave its redis-server children behind.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

/** True while `pid` is a live redis-server (not a zombie, not a recycled pid). */
function isLiveRedis(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

it('leaves no redis-server behind when the process running the pods is SIGKILLed', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'runtime-orphan-child.ts'), '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // However the test ends, the child must not outlive it.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const pids = await new Promise<number[]>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /PIDS (\[.*\])\n/.exec(buf);
      if (m) resolve(JSON.parse(m[1] ?? '[]') as number[]);
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  expect(pids).toHaveLength(4);
  expect(pids.every(isLiveRedis)).toBe(true);
  child.kill('SIGKILL');
  const deadline = Date.now() + 15_000;
  while (pids.some(isLiveRedis) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(pids.filter(isLiveRedis)).toEqual([]);
}, 30_000);

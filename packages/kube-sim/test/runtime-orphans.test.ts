// No orphans: a process running kube-sim with Redis pods that dies by SIGKILL (no cleanup code
// runs) must not leave its redis-server processes, or the launcher that started them, behind, even
// servers that ignore SIGTERM.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { launchers, redisServersUnder } from './runtime-helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs kube-sim with 4 Redis servers in a child, SIGKILLs it (after `before`), and expects every server and the launcher gone. */
async function killAndExpectNothingLeft(before: (dataDir: string) => void): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'runtime-orphan-child.ts'), '20', '4'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // However the test ends, the child must not outlive it.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const { dataDir, pids } = await new Promise<{ dataDir: string; pids: number[] }>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /DATADIR (.*)\nPIDS (\[.*\])\n/.exec(buf);
      if (m) resolve({ dataDir: m[1] ?? '', pids: JSON.parse(m[2] ?? '[]') as number[] });
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
  expect(pids).toHaveLength(4);
  expect(redisServersUnder(dataDir).sort()).toEqual([...pids].sort());
  const launcher = launchers(child.pid);
  expect(launcher).toHaveLength(1);
  before(dataDir);
  child.kill('SIGKILL');
  const left = () => [...redisServersUnder(dataDir), ...launchers().filter((p) => launcher.includes(p))];
  const deadline = Date.now() + 15_000;
  while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(left()).toEqual([]);
}

it('leaves no redis-server behind when the process running kube-sim is SIGKILLed', async () => {
  await killAndExpectNothingLeft(() => undefined);
}, 60_000);

it('leaves none behind either when the servers cannot save on shutdown (their directories deleted)', async () => {
  // A Redis whose final save fails refuses to exit on SIGTERM ("can't exit"): the launcher SIGKILLs it.
  await killAndExpectNothingLeft((dataDir) => rmSync(dataDir, { recursive: true, force: true }));
}, 60_000);

// The demo's supervision (scripts/stack.ts supervise()): a child that exits on its own is started
// again, one that keeps exiting is given up on, and stopping it leaves nothing running.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startChild, supervise } from '../../scripts/stack.ts';

/** The log so far ('' until the child's log stream has created it). */
function logOf(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a killed child is restarted, with both runs in its log, and stop() ends it for good', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'kubegrade-supervise-'));
  const lines: string[] = [];
  const sup = supervise(
    'sleeper',
    (n) =>
      startChild(
        'sleeper',
        process.execPath,
        ['-e', `console.log('run ${n}'); setInterval(() => {}, 1000)`],
        { cwd: tmpdir(), env: process.env, logDir, appendLog: n > 0 },
      ),
    { log: (l) => lines.push(l), backoffMs: () => 50 },
  );
  const first = sup.current();
  await expect.poll(() => logOf(first.logFile)).toContain('run 0');
  process.kill(-first.proc.pid!, 'SIGKILL'); // as `kill -9` of the worker's group would
  await expect.poll(() => sup.restarts()).toBe(1);
  const second = sup.current();
  await expect.poll(() => logOf(second.logFile)).toContain('run 1');
  expect({
    newPid: second.proc.pid !== first.proc.pid,
    running: alive(second.proc.pid),
    log: logOf(second.logFile).match(/run \d/g),
    said: lines,
  }).toEqual({
    newPid: true,
    running: true,
    log: ['run 0', 'run 1'],
    said: [expect.stringMatching(/^sleeper exited unexpectedly \(signal SIGKILL\); restarting it in 50 ms/)],
  });
  await sup.stop();
  expect({ running: alive(second.proc.pid), restarts: sup.restarts() }).toEqual({
    running: false,
    restarts: 1,
  });
});

test('a child that keeps exiting is given up on after the allowed restarts', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'kubegrade-supervise-'));
  const lines: string[] = [];
  const sup = supervise(
    'crasher',
    () =>
      startChild('crasher', process.execPath, ['-e', 'process.exit(3)'], {
        cwd: tmpdir(),
        env: process.env,
        logDir,
        appendLog: true,
      }),
    {
      log: (l) => lines.push(l),
      maxRestarts: 2,
      backoffMs: () => 10,
    },
  );
  const last = await sup.gaveUp;
  expect({ last, restarts: sup.restarts(), said: lines.at(-1) }).toEqual({
    last: { name: 'crasher', code: 3, signal: null },
    restarts: 2,
    said: expect.stringMatching(/^crasher exited \(code 3\) 3 times within 300 s; not restarting it again/),
  });
});

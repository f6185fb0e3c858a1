// Starts the whole stack once for the run, in a child process (the launcher is TypeScript that
// imports the workspace packages; tsx runs it the same way `npm run demo` does), and hands its
// addresses and accounts to the tests through environment variables.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FullConfig } from '@playwright/test';
import { STACK_ENV, WEB_URL_ENV, type StackInfo } from './stack-info.ts';

const READY_PREFIX = 'KUBEGRADE_STACK ';
const START_TIMEOUT_MS = 240_000;

function waitForReady(child: ChildProcess): Promise<StackInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the stack did not report ready within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith(READY_PREFIX)) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(READY_PREFIX.length)) as StackInfo);
      } else if (process.env.KUBEGRADE_E2E_VERBOSE) {
        process.stdout.write(`[stack] ${line}\n`);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the stack exited before it was ready (code ${code}, signal ${signal}); run with KUBEGRADE_E2E_VERBOSE=1 to see its output`,
        ),
      );
    });
  });
}

/** Playwright global setup: start the stack; the returned function stops it. */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const script = fileURLToPath(new URL('./run-stack.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const info = await waitForReady(child);
  process.env[STACK_ENV] = JSON.stringify(info);
  process.env[WEB_URL_ENV] = info.webUrl;
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}

// Runs the kubegrade CLI as a user does: the installed command (bin/kubegrade.js, which runs the
// built bundle in dist/) in a subprocess, its output and its exit code. test/build-cli.ts (vitest
// globalSetup) builds the bundle first when it is missing or older than the sources.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../bin/kubegrade.js');

/** Runs kubegrade and resolves to its exit code and output; `nodeArgs` go to node before the script; killed after 6 minutes (a whole `lab test` corpus on a busy machine takes minutes). */
export function kubegrade(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...nodeArgs, BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 360_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

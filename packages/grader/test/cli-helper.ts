// Runs the kubegrade CLI as a user does: a subprocess, its output and its exit code.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const TSX = resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');

/** Runs kubegrade and resolves to its exit code and output. */
export function kubegrade(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(TSX, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

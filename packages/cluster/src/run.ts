// Small process helpers shared by the cluster's modules: run a command and get its output, or
// fail with the command line and what it printed.
import { execFile, spawnSync } from 'node:child_process';

/** A command that exited non-zero (or could not start), with what it printed. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`${command} exited ${code ?? 'with a signal'}: ${output.trim().slice(-2000)}`);
  }
}

/** Runs a command to completion; resolves with stdout, rejects with a CommandError. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new CommandError(
              [cmd, ...args].join(' '),
              typeof err.code === 'number' ? err.code : null,
              `${stdout}${stderr}`,
            ),
          );
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs a command synchronously and reports success; output is returned, never thrown (for teardown paths). */
export function runQuiet(
  cmd: string,
  args: string[],
  input?: string,
): { ok: boolean; stdout: string; output: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, stdout: r.stdout ?? '', output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** True when `cmd` is found on PATH. */
export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; then throws with `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `: ${String((last as Error).message ?? last)}` : ''}`,
      );
    await sleep(everyMs);
  }
}

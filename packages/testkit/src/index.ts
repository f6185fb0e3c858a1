// Test helpers shared by every package's tests: one polling wait, the test time multiplier, and
// running a program (kubectl, redis-cli) for its output and exit code.
import { execFile } from 'node:child_process';

/** Deadlines shrink with this in tests (kube-sim pods are Ready in milliseconds). */
export const MULT = 0.25;

/** How long `until` waits, and how long it pauses between probes. */
export interface UntilOptions {
  /** Give up after this many milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Pause between probes in milliseconds (default 100). */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a truthy value, and resolves with it. A probe that throws has
 * not succeeded yet. After `timeoutMs` it rejects with "timed out after N ms waiting for <what>",
 * naming the last value (or the last error's message) the probe gave.
 */
export async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  opts: UntilOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${describe(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function describe(v: unknown): string {
  if (v instanceof Error) return v.message;
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

/** How a program run by `runProgram` ended. */
export interface ProgramResult {
  /** The exit code (1 when it could not start or was killed without one). */
  code: number;
  stdout: string;
  stderr: string;
  /** Killed at the deadline. */
  killed: boolean;
}

/** Runs `bin` with `args` (and `stdin`, then closed) and resolves with how it ended; never rejects. */
export function runProgram(
  bin: string,
  args: string[],
  opts: { timeoutMs: number; stdin?: string },
): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { timeout: opts.timeoutMs }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr, killed: Boolean(err && (err as { killed?: boolean }).killed) });
    });
    child.stdin?.end(opts.stdin);
  });
}

// Test helpers shared by every package's tests: one polling wait and the test time multiplier.

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

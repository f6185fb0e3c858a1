// The grader's one wait loop: "try until it is done or the time is up, pausing between tries".
// Every wait (a claim settling, DNS records appearing, Redis loading its dump, a replacement pod,
// a scenario step, a remote run) is this loop with its own budget and pause. No Kubernetes client
// at run time (types only), so the light CLI commands may use it.
import { sleep } from './kube/util.ts';

/** How long and how often to try. Callers multiply by the time multiplier themselves. */
export interface PollOptions {
  /** The budget in ms; 0 (or less) gives exactly one try. */
  withinMs: number;
  /** The pause between tries in ms. */
  everyMs: number;
  /** Aborts a pause (the default pause rejects with a `timeout` ClusterError). */
  signal?: AbortSignal;
  /** When the budget starts: before the first try (default) or once the first try answered. */
  from?: 'start' | 'first-answer';
  /**
   * `capped` (default): a pause ends at the deadline at the latest, and one last try happens there.
   * `whole`: every pause runs its full length, even past the deadline; the try after it is the last.
   * `no-late-try`: capped, but no try starts once the deadline has passed.
   */
  pauses?: 'capped' | 'whole' | 'no-late-try';
  /** The pause itself (default: sleep, cut short by `signal`); a watch may end it early. */
  pause?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What poll() saw last, and whether it was what was waited for. */
export interface Polled<T> {
  value: T;
  done: boolean;
  /** How many tries were made. */
  tries: number;
}

/**
 * Calls `attempt(n)` (n = 0, 1, ...) until `done(value)` holds or the budget is spent, pausing
 * `everyMs` between tries; answers the last value either way (never throws for the time: what a
 * timeout means is the caller's verdict). Errors of `attempt` and of the pause propagate.
 */
export async function poll<T>(
  attempt: (n: number) => Promise<T>,
  done: (value: T) => boolean,
  o: PollOptions,
): Promise<Polled<T>> {
  const pauses = o.pauses ?? 'capped';
  const pause = o.pause ?? sleep;
  let until = Date.now() + o.withinMs;
  for (let n = 0; ; n++) {
    const value = await attempt(n);
    if (n === 0 && o.from === 'first-answer') until = Date.now() + o.withinMs;
    if (done(value)) return { value, done: true, tries: n + 1 };
    if (Date.now() >= until) return { value, done: false, tries: n + 1 };
    await pause(
      pauses === 'whole' ? o.everyMs : Math.min(o.everyMs, Math.max(0, until - Date.now())),
      o.signal,
    );
    if (pauses === 'no-late-try' && Date.now() >= until) return { value, done: false, tries: n + 1 };
  }
}

/** A pause that keeps the process alive (the default sleep does not: a CLI waiting on nothing else would exit). */
export function keepAlivePause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The verdicts a primitive returns, built in one way: pass(), fail(), error(), skipped() take the
// catalog message (msg(key, params): messages.ts checks the parameters at compile time), the
// hint key where there is one, and the evidence. settling() marks a verdict that may still change
// on its own (a controller has not caught up yet): untilSettled() looks again before it counts.
import type { HintKey } from '../hints.ts';
import type { Message } from '../messages.ts';
import type { Outcome } from './registry.ts';

/** The fields a check looked at: expected vs found. */
export type Evidence = Record<string, unknown>;

/** An outcome that may still change on its own (a controller has not caught up yet). */
export type Verdict = Outcome & { transient?: boolean };

/** The student's setup is right. */
export function pass(message: Message, evidence?: Evidence): Outcome {
  return { status: 'pass', message, ...(evidence ? { evidence } : {}) };
}

/** The student's setup is wrong; `hint` names the cause. */
export function fail(message: Message, hint: HintKey | null, evidence?: Evidence): Outcome {
  return { status: 'fail', message, hint, ...(evidence ? { evidence } : {}) };
}

/** The environment (or the grader) is at fault: never counts against the student. */
export function error(message: Message, hint?: HintKey, evidence?: Evidence): Outcome {
  return { status: 'error', message, ...(hint ? { hint } : {}), ...(evidence ? { evidence } : {}) };
}

/** The check could not be evaluated (what it needs is not there). */
export function skipped(message: Message, evidence?: Evidence): Outcome {
  return { status: 'skipped', message, ...(evidence ? { evidence } : {}) };
}

/** The verdict, marked as one that may still change on its own. */
export function settling(o: Outcome): Verdict {
  return { ...o, transient: true };
}

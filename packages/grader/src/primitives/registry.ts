// The registry of check primitives. A lab's `uses` names one; its `with` is validated against the
// primitive's schema. Tests and instructors' extensions register their own through registerPrimitive.
import type { z } from 'zod';
import type { Cluster } from '../kube/cluster.ts';
import type { HintKey } from '../hints.ts';
import type { Message } from '../messages.ts';
import type { Hint, LabCheck } from '../types.ts';

/** What a primitive gets to work with while evaluating one check. */
export interface CheckContext {
  namespace: string;
  /** Cluster access shared by the run (snapshot lists, exec, waits). */
  cluster: Cluster;
  /** Aborts when this check's deadline passes or the run is cancelled. */
  signal: AbortSignal;
  /** Multiplier for every wait, for slow clusters (hard per-request/exec timeouts use max(1, it)); 0: no waiting (the live lab). */
  timeMultiplier: number;
  /** The check as the lab declares it (its id, for primitives registered from outside). */
  check: LabCheck;
}

/** A primitive's verdict; the runner adds id, title, points and timing. */
export interface Outcome {
  status: 'pass' | 'fail' | 'skipped' | 'error';
  /**
   * One line saying what was found (and, on failure, what was expected): a catalog message
   * (messages.ts), or plain text for primitives outside the catalog (shown as is in every language).
   */
  message: string | Message;
  /** A catalog key, or a full hint (for primitives outside the catalog). */
  hint?: HintKey | Hint | null;
  evidence?: Record<string, unknown>;
}

/** A check primitive: typed parameters plus a function of cluster state (and explicit waits). */
export interface Primitive<P = unknown> {
  name: string;
  /** One line for `kubegrade labs` and docs. */
  description: string;
  params: z.ZodType<P>;
  /** Deadline for one evaluation, before timeMultiplier. */
  defaultTimeoutSeconds: number;
  run(ctx: CheckContext, params: P): Promise<Outcome>;
}

const registry = new Map<string, Primitive>();

/** Adds (or replaces) a primitive under its name. */
export function registerPrimitive<P>(primitive: Primitive<P>): void {
  registry.set(primitive.name, primitive as unknown as Primitive);
}

/** Removes a primitive (tests clean up after themselves). */
export function unregisterPrimitive(name: string): void {
  registry.delete(name);
}

/** The primitive registered under `name`, if any. */
export function getPrimitive(name: string): Primitive | undefined {
  return registry.get(name);
}

/** Names of every registered primitive. */
export function primitiveNames(): string[] {
  return [...registry.keys()].sort();
}

// One attempt at a run: the grader with a heartbeat and a lease timer, each progress event written
// as it happens (in order, fenced by the attempt), stoppable from outside through `inflight`.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  heartbeat,
  markCheckStarted,
  recordCheckResult,
  type Attempt,
  type PrismaClient,
} from '@kubegrade/db';
import { grade, type GradeEvent, type Lab } from '@kubegrade/grader';
import type { Logger } from 'pino';
import type { AbortReason, AttemptOutcome } from './steps.ts';

/** A run being graded right now, by pg-boss job id. */
export interface InFlight {
  runId: string;
  controller: AbortController;
  reason: AbortReason | null;
  done: Promise<void>;
}

/** What an attempt needs from its worker. */
export interface AttemptContext {
  prisma: PrismaClient;
  kubeConfig: KubeConfig;
  /** Multiplies every grader deadline. */
  timeMultiplier: number;
  heartbeatMs: number;
  /** The worker's runs in flight; the attempt is in it while the grader runs. */
  inflight: Map<string, InFlight>;
}

/** The pg-boss job's part in an attempt: its id (the key in `inflight`) and its lease. */
export interface AttemptJob {
  id: string;
  expireInSeconds: number | string;
}

/** What is graded: the lab, where, and whether the disruptive check runs. */
export interface AttemptTarget {
  lab: Lab;
  namespace: string;
  disruptive: boolean;
}

/** The lease a job's grader gets: a little less than pg-boss's, so the retry is the worker's to decide. */
export function leaseMs(job: Pick<AttemptJob, 'expireInSeconds'>): number {
  return Math.max(1000, Number(job.expireInSeconds) * 1000 - 2000);
}

/** Runs the grader with a heartbeat, writing each event as it happens (in order). */
export async function runAttempt(
  ctx: AttemptContext,
  attempt: Attempt,
  target: AttemptTarget,
  job: AttemptJob,
  runLog: Logger,
): Promise<AttemptOutcome> {
  const { prisma } = ctx;
  const controller = new AbortController();
  let settle!: () => void;
  const entry: InFlight = {
    runId: attempt.runId,
    controller,
    reason: null,
    done: new Promise<void>((r) => (settle = r)),
  };
  ctx.inflight.set(job.id, entry);
  const stop = (reason: AbortReason) => {
    if (entry.reason) return;
    entry.reason = reason;
    controller.abort(reason);
  };
  const beat = setInterval(() => {
    heartbeat(prisma, attempt).then(
      (h) => {
        if (h !== 'ok') stop(h);
      },
      (err: Error) => runLog.warn({ err: { message: err.message } }, 'heartbeat failed'),
    );
  }, ctx.heartbeatMs);
  const leaseTimer = setTimeout(() => stop('lease'), leaseMs(job));

  // Events arrive synchronously from the grader; writes go one after another in arrival order.
  let writes: Promise<void> = Promise.resolve();
  const write = (e: GradeEvent) => {
    writes = writes.then(async () => {
      if (entry.reason) return;
      try {
        const owned =
          e.type === 'check-started'
            ? await markCheckStarted(prisma, attempt, e.checkId)
            : await recordCheckResult(prisma, attempt, e.result);
        if (!owned) {
          const h = await heartbeat(prisma, attempt);
          stop(h === 'cancelled' ? 'cancelled' : 'lost');
        }
      } catch (err) {
        runLog.warn(
          { err: { message: (err as Error).message }, event: e.type },
          'could not store a progress event; the final write will',
        );
      }
    });
  };
  try {
    const result = await grade({
      ...target,
      kubeConfig: ctx.kubeConfig,
      timeMultiplier: ctx.timeMultiplier,
      signal: controller.signal,
      onEvent: write,
    });
    await writes;
    if (entry.reason && entry.reason !== 'lease') return { kind: 'stopped', reason: entry.reason };
    return { kind: 'result', result };
  } finally {
    clearInterval(beat);
    clearTimeout(leaseTimer);
    ctx.inflight.delete(job.id);
    settle();
  }
}

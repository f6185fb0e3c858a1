// Submitting and cancelling runs. One queued-or-running run per (namespace, lab), enforced by the
// partial unique index "GradingRun_namespace_labId_active_key": a second request joins the run.
import type { GradingRun, PrismaClient, RunTrigger } from '../generated/prisma/client.ts';
import { takeTokenIn, refundCooldownToken, type CooldownConfig } from './cooldown.ts';
import { CooldownError, NotFoundError } from './errors.ts';
import { notify, notifyRun } from './pubsub.ts';
import {
  DEFAULT_RETRY_DELAY_SECONDS,
  DEFAULT_RETRY_LIMIT,
  cancelGradeJob,
  enqueueGradeJob,
  jobPriority,
  leaseSecondsFor,
  type QueueOptions,
} from './queue.ts';
import { QUEUE_TOPIC } from './topics.ts';

/** submitRun's input. */
export interface SubmitRunInput {
  enrollmentId: string;
  labId: string;
  trigger: RunTrigger;
  /** The user who asked (student or instructor); null for webhooks and schedules. */
  triggeredById?: string;
  webhookDeliveryId?: string;
  /** Whether the disruptive (pod-delete) check may run; the lab's disruptiveEnabled also applies. */
  disruptive: boolean;
  /** Overrides the job priority computed from the trigger (higher runs first). */
  priority?: number;
  /**
   * Take a cooldown token from this user's bucket, atomically with creating the run: only a new run
   * costs a token (joining is free) and a refusal throws CooldownError with the remaining wait.
   */
  cooldown?: CooldownConfig & { userId: string };
}

/** submitRun's answer: the run, and whether it already existed. */
export interface SubmitRunResult {
  run: GradingRun;
  joined: boolean;
}

const ACTIVE = ['QUEUED', 'RUNNING'] as const;

// The lease must cover the worker's deadlines, which GRADE_TIME_MULTIPLIER stretches; callers that
// do not pass queue.timeMultiplier get the same variable the worker reads.
function envMultiplier(): number {
  const m = Number(process.env.GRADE_TIME_MULTIPLIER);
  return Number.isFinite(m) && m > 0 ? m : 1;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string; meta?: unknown } | null;
  return e?.code === 'P2002' || /23505|unique constraint/i.test(`${e?.message ?? ''} ${JSON.stringify(e?.meta ?? '')}`);
}

function findActive(db: PrismaClient, namespace: string, labId: string) {
  return db.gradingRun.findFirst({ where: { namespace, labId, status: { in: [...ACTIVE] } } });
}

/**
 * Queues a grading run for an enrollment and lab, or joins the one already queued or running for
 * that namespace and lab. The run row and its pg-boss job are written in one transaction.
 */
export async function submitRun(db: PrismaClient, input: SubmitRunInput, queue: QueueOptions = {}): Promise<SubmitRunResult> {
  const enrollment = await db.enrollment.findUnique({ where: { id: input.enrollmentId } });
  if (!enrollment) throw new NotFoundError('enrollment', input.enrollmentId);
  const lab = await db.lab.findUnique({ where: { id: input.labId } });
  if (!lab) throw new NotFoundError('lab', input.labId);

  const existing = await findActive(db, enrollment.namespace, lab.id);
  if (existing) return { run: existing, joined: true };

  const definition = lab.definition as { checks?: { points?: unknown }[] } | null;
  const maxScore = (definition?.checks ?? []).reduce((s, c) => s + (typeof c.points === 'number' ? c.points : 0), 0);
  try {
    const run = await db.$transaction(
      async (tx) => {
        if (input.cooldown) {
          const took = await takeTokenIn(tx, input.cooldown.userId, input.cooldown);
          if (!took.ok) throw new CooldownError(took.retryAfterSeconds);
        }
        const queuedInNamespace = await tx.gradingRun.count({ where: { namespace: enrollment.namespace, status: 'QUEUED' } });
        const created = await tx.gradingRun.create({
          data: {
            enrollmentId: enrollment.id,
            labId: lab.id,
            namespace: enrollment.namespace,
            trigger: input.trigger,
            triggeredById: input.triggeredById ?? null,
            webhookDeliveryId: input.webhookDeliveryId ?? null,
            disruptive: input.disruptive,
            maxScore,
            labVersion: lab.version,
          },
        });
        const jobId = await enqueueGradeJob(
          tx,
          { runId: created.id },
          {
            priority: input.priority ?? jobPriority(input.trigger, queuedInNamespace),
            leaseSeconds: queue.leaseSeconds ?? leaseSecondsFor(lab.definition, queue.timeMultiplier ?? envMultiplier()),
            retryLimit: queue.retryLimit ?? DEFAULT_RETRY_LIMIT,
            retryDelaySeconds: queue.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS,
          },
        );
        const run = await tx.gradingRun.update({ where: { id: created.id }, data: { jobId } });
        await notifyRun(tx, { event: 'queued', runId: run.id, labId: run.labId, enrollmentId: run.enrollmentId });
        await notify(tx, QUEUE_TOPIC, { runId: run.id });
        return run;
      },
      { maxWait: 10_000, timeout: 20_000 },
    );
    return { run, joined: false };
  } catch (err) {
    // Another request created the run between our check and our insert: join it.
    if (!isUniqueViolation(err)) throw err;
    const raced = await findActive(db, enrollment.namespace, lab.id);
    if (!raced) throw err;
    return { run: raced, joined: true };
  }
}

/** Options of cancelRun. */
export interface CancelRunOptions {
  /** Give a student-triggered run's cooldown token back. */
  refund?: CooldownConfig;
}

/**
 * Cancels a queued or running run: a queued job never starts, a running worker stops at its next
 * heartbeat. A finished run is returned unchanged.
 */
export async function cancelRun(db: PrismaClient, runId: string, options: CancelRunOptions = {}): Promise<GradingRun> {
  return db.$transaction(
    async (tx) => {
      const cancelled = await tx.gradingRun.updateManyAndReturn({
        where: { id: runId, status: { in: [...ACTIVE] } },
        data: { status: 'CANCELLED', finishedAt: new Date() },
      });
      const run = cancelled[0] ?? (await tx.gradingRun.findUnique({ where: { id: runId } }));
      if (!run) throw new NotFoundError('run', runId);
      if (cancelled[0]) {
        if (run.jobId) await cancelGradeJob(tx, run.jobId);
        // No check of a cancelled run is still waiting or running, whatever the worker was doing.
        await tx.checkResult.updateMany({
          where: { runId, status: { in: ['PENDING', 'RUNNING'] } },
          data: { status: 'SKIPPED', message: 'not run: the run was cancelled' },
        });
        if (options.refund && run.trigger === 'STUDENT' && run.triggeredById) {
          await refundCooldownToken(tx, run.triggeredById, options.refund);
        }
        await notifyRun(tx, { event: 'cancelled', runId: run.id, labId: run.labId, enrollmentId: run.enrollmentId }, true);
      }
      return run;
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}

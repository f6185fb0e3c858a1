// The grading queue on pg-boss 10 (same PostgreSQL as the app). Jobs are inserted in the same
// transaction as their GradingRun row (pg-boss's `db` option with the Prisma transaction as the
// executor), so there is never a run without a job or a job without a run.
import PgBoss from 'pg-boss';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { QueueNotReadyError } from './errors.ts';
import { EVENT_QUEUE, LTI_SCORE_QUEUE } from '../events/outbox.ts';
import { prismaExecutor, sqlOnlyBoss, type RawExecutor } from '../boss.ts';

export { prismaExecutor, type RawExecutor } from '../boss.ts';

/** The pg-boss queue grading jobs go to. */
export const GRADE_QUEUE = 'grade';

/** pg-boss's schema (its default). */
export const BOSS_SCHEMA = 'pgboss';

/** What a 'grade' job carries. */
export interface GradeJobData {
  runId: string;
}

/** Queue-side knobs of submitRun; every field has a default. */
export interface QueueOptions {
  /** Multiplies the lab's deadlines; the job lease grows with it. Default: GRADE_TIME_MULTIPLIER, else 1. */
  timeMultiplier?: number;
  /** Retries after the first attempt, for infrastructure errors and crashed workers. Default 3. */
  retryLimit?: number;
  /** Base retry delay in seconds; doubles each retry (pg-boss retryBackoff, with jitter). Default 5. */
  retryDelaySeconds?: number;
  /** Overrides the lease computed from the lab (tests use short leases). */
  leaseSeconds?: number;
}

/** Default retry settings. */
export const DEFAULT_RETRY_LIMIT = 3;
export const DEFAULT_RETRY_DELAY_SECONDS = 5;

/** A check's deadline when the lab names none (the grader's primitives use 30-300 s). */
const FALLBACK_CHECK_SECONDS = 120;
/** The grader's own whole-run deadline (runTimeoutMs default), before the multiplier. */
const RUN_DEADLINE_SECONDS = 600;
/** Headroom for writing results and the pod of a slow worker. */
const LEASE_SLACK_SECONDS = 60;

/** Minimal shape of a lab definition the queue reads (checks' deadlines). */
interface LabDefinitionShape {
  checks?: { timeoutSeconds?: unknown }[];
}

/**
 * How long a worker may hold a job before pg-boss assumes it died and retries it: the sum of the
 * lab's check deadlines (capped by the grader's run deadline) times the multiplier, plus slack.
 */
export function leaseSecondsFor(definition: unknown, timeMultiplier = 1): number {
  const checks = (definition as LabDefinitionShape | null)?.checks ?? [];
  const sum = checks.reduce(
    (s, c) =>
      s +
      (typeof c.timeoutSeconds === 'number' && c.timeoutSeconds > 0
        ? c.timeoutSeconds
        : FALLBACK_CHECK_SECONDS),
    0,
  );
  const mult = timeMultiplier > 0 ? timeMultiplier : 1;
  return Math.ceil(Math.min(sum || RUN_DEADLINE_SECONDS, RUN_DEADLINE_SECONDS) * mult + LEASE_SLACK_SECONDS);
}

/** Base priorities: a student waiting at the page goes before bulk regrades. pg-boss takes higher first. */
export const TRIGGER_PRIORITY = { STUDENT: 100, INSTRUCTOR: 0, WEBHOOK: 0, SCHEDULE: 0 } as const;

/**
 * The job priority: the trigger's base minus how many runs this namespace already has queued, so a
 * bulk regrade of several labs interleaves students (round-robin) instead of running one student's
 * labs back to back ahead of everyone else.
 */
export function jobPriority(trigger: keyof typeof TRIGGER_PRIORITY, queuedInNamespace: number): number {
  return TRIGGER_PRIORITY[trigger] - Math.min(queuedInNamespace, 99);
}

/** Inserts a 'grade' job through `db` (inside the caller's transaction); returns its id. */
export async function enqueueGradeJob(
  db: RawExecutor,
  data: GradeJobData,
  opts: { priority: number; leaseSeconds: number; retryLimit: number; retryDelaySeconds: number },
): Promise<string> {
  let id: string | null;
  try {
    id = await sqlOnlyBoss().send(GRADE_QUEUE, data, {
      db: prismaExecutor(db),
      priority: opts.priority,
      expireInSeconds: opts.leaseSeconds,
      retryLimit: opts.retryLimit,
      retryDelay: opts.retryDelaySeconds,
      retryBackoff: true,
    } as PgBoss.SendOptions);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (/relation "pgboss\.\w+" does not exist|schema "pgboss" does not exist/.test(message))
      throw new QueueNotReadyError(message);
    throw err;
  }
  // The insert selects from pg-boss's queue table: no row means createQueue('grade') never ran.
  if (!id) throw new QueueNotReadyError(`queue '${GRADE_QUEUE}' does not exist`);
  return id;
}

/** Cancels a job through `db`: a queued one never runs; an active one's completion becomes a no-op. */
export async function cancelGradeJob(
  db: Prisma.TransactionClient | PrismaClient,
  jobId: string,
): Promise<void> {
  await sqlOnlyBoss().cancel(GRADE_QUEUE, jobId, { db: prismaExecutor(db) });
}

/** Options of startQueue (pg-boss constructor options, plus the grade queue's). */
export interface StartQueueOptions {
  /** Connections in pg-boss's pool (default 4; keep it small against the embedded server). */
  max?: number;
  /** How often this instance runs pg-boss maintenance (expiring leases, archiving). Default 30 s. */
  maintenanceIntervalSeconds?: number;
  /** Skip pg-boss's own maintenance and monitoring (the api only sends; workers supervise). */
  supervise?: boolean;
  /** Forwarded pg-boss 'error' events (pool errors, maintenance failures). Default: ignored. */
  onError?: (err: Error) => void;
}

/**
 * Starts pg-boss on `databaseUrl` (creating or migrating its schema) and makes sure the 'grade'
 * 'event-delivery' and 'lti-score' queues exist. Call `stop()` on the result when done.
 */
export async function startQueue(databaseUrl: string, opts: StartQueueOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    max: opts.max ?? 4,
    supervise: opts.supervise ?? true,
    schedule: false,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 30,
    // Completed jobs are history the GradingRun table already keeps.
    archiveCompletedAfterSeconds: 3600,
  });
  boss.on('error', (err: Error) => opts.onError?.(err));
  await boss.start();
  // createQueue is idempotent, but two processes starting at once can race on its insert.
  for (const name of [GRADE_QUEUE, EVENT_QUEUE, LTI_SCORE_QUEUE]) {
    try {
      if (!(await boss.getQueue(name))) await boss.createQueue(name);
    } catch (err) {
      if (!(await boss.getQueue(name))) throw err;
    }
  }
  return boss;
}

// Submitting and cancelling runs. One queued-or-running run per (namespace, lab), enforced by the
// partial unique index "GradingRun_namespace_labId_active_key": a second request joins the run.
//
// A submit is two statements, each atomic on its own (no BEGIN/COMMIT round trips): a lookup that
// reads the lab, the enrollment, the active run, the namespace's queue and the cooldown bucket (and,
// when it finds an active run, writes the join's audit entry); and, for a new run, one statement
// whose data-modifying CTEs take the cooldown token, insert the pg-boss job (pg-boss's own SQL, from
// its `send` through a `db` executor), the run and its audit entry, and NOTIFY. When the bucket was
// emptied meanwhile or the queue is missing, that statement raises (kubegrade_refuse) and nothing of
// it is written; when another request created the run first, the unique index fails it and we join.
import { randomUUID } from 'node:crypto';
import type { GradingRun, PrismaClient, RunTrigger } from '../generated/prisma/client.ts';
import { refilled, refundCooldownToken, secondsUntilToken, type CooldownConfig } from './cooldown.ts';
import { CooldownError, NotFoundError, QueueNotReadyError } from './errors.ts';
import { encodeMessage, notifyRun, PUBSUB_CHANNEL } from './pubsub.ts';
import {
  DEFAULT_RETRY_DELAY_SECONDS,
  DEFAULT_RETRY_LIMIT,
  GRADE_QUEUE,
  cancelGradeJob,
  enqueueGradeJob,
  jobPriority,
  leaseSecondsFor,
  type QueueOptions,
} from './queue.ts';
import { QUEUE_TOPIC, runTopic } from './topics.ts';
import { labMaxScore } from '../labs.ts';

/** submitRun's input. */
export interface SubmitRunInput {
  /** The enrollment to grade; or leave it out and pass `studentUserId`. */
  enrollmentId?: string;
  /** A student submitting for themselves: grade this user's first enrollment (by creation). */
  studentUserId?: string;
  labId: string;
  /** Treat a disabled lab as missing (NotFoundError): students cannot submit to it. */
  onlyEnabledLab?: boolean;
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
  /**
   * Write an audit entry in the same statement as the run ('run.submit' for a new run, 'run.join'
   * for a join; subject `run:<id>`, after `{ lab, namespace }`).
   */
  audit?: { actorId: string | null; actor: string | null };
}

/** submitRun's answer: the run, whether it already existed, and the bucket after (with `cooldown`). */
export interface SubmitRunResult {
  run: GradingRun;
  joined: boolean;
  cooldown?: { tokensAvailable: number; retryAfterSeconds: number };
}

// The lease must cover the worker's deadlines, which GRADE_TIME_MULTIPLIER stretches; callers that
// do not pass queue.timeMultiplier get the same variable the worker reads.
function envMultiplier(): number {
  const m = Number(process.env.GRADE_TIME_MULTIPLIER);
  return Number.isFinite(m) && m > 0 ? m : 1;
}

function errorText(err: unknown): string {
  const e = err as { message?: string; meta?: unknown } | null;
  return `${e?.message ?? ''} ${JSON.stringify(e?.meta ?? '')}`;
}

function isUniqueViolation(err: unknown): boolean {
  return (
    (err as { code?: string } | null)?.code === 'P2002' || /23505|unique constraint/i.test(errorText(err))
  );
}

function refusal(err: unknown): string | null {
  return /kubegrade_refused:(\w+)/.exec(errorText(err))?.[1] ?? null;
}

const ACTIVE = ['QUEUED', 'RUNNING'] as const;

const TIMESTAMPS = ['queuedAt', 'startedAt', 'finishedAt', 'updatedAt'] as const;

/** A GradingRun row read as JSON (to_jsonb) with its timestamps as Dates, as Prisma returns it. */
function runFromJson(json: Record<string, unknown>): GradingRun {
  const run = { ...json } as Record<string, unknown>;
  for (const k of TIMESTAMPS) run[k] = run[k] == null ? null : new Date(run[k] as string);
  return run as unknown as GradingRun;
}

/**
 * Queues a grading run for an enrollment and lab, or joins the one already queued or running for
 * that namespace and lab. The run row, its pg-boss job, its audit entry and its cooldown token are
 * written by one statement.
 */
export async function submitRun(
  db: PrismaClient,
  input: SubmitRunInput,
  queue: QueueOptions = {},
): Promise<SubmitRunResult> {
  if (!input.enrollmentId && !input.studentUserId)
    throw new TypeError('submitRun needs enrollmentId or studentUserId');
  // The unique active-run index can fire for a run that has finished by the time we look for it:
  // the slot is free again, so submit again (a few times; each attempt is its own statement).
  for (let attempt = 1; ; attempt++) {
    const result = await submitOnce(db, input, queue);
    if (result !== RACED_WITH_FINISHED_RUN) return result;
    if (attempt >= MAX_SUBMIT_ATTEMPTS)
      throw new Error(
        `could not queue a run for ${input.labId}: ${MAX_SUBMIT_ATTEMPTS} attempts raced with runs that finished at once`,
      );
  }
}

const RACED_WITH_FINISHED_RUN = Symbol('raced with a finished run');
const MAX_SUBMIT_ATTEMPTS = 5;

interface Lookup {
  labId: string | null;
  version: string | null;
  definition: unknown;
  enabled: boolean | null;
  disruptiveEnabled: boolean | null;
  enrollmentId: string | null;
  namespace: string | null;
  active: Record<string, unknown> | null;
  queued: number | null;
  tokens: number | null;
  bucketAt: Date | null;
}

/** Statement 1: everything a submit decides on; a join's audit entry is written by it. */
async function lookup(db: PrismaClient, input: SubmitRunInput): Promise<Lookup> {
  const enrollmentWhere = input.enrollmentId
    ? `"id" = $2`
    : `"userId" = $2 ORDER BY "createdAt" ASC, "id" ASC LIMIT 1`;
  const rows = await db.$queryRawUnsafe<Lookup[]>(
    `WITH lab AS (
       SELECT "id", "version", "definition", "enabled", "disruptiveEnabled" FROM "Lab" WHERE "id" = $1 ${input.onlyEnabledLab ? 'AND "enabled"' : ''}),
     enr AS (SELECT "id", "namespace" FROM "Enrollment" WHERE ${enrollmentWhere}),
     active AS (
       SELECT g.* FROM "GradingRun" g JOIN enr ON g."namespace" = enr."namespace" JOIN lab ON g."labId" = lab."id"
       WHERE g."status" IN ('QUEUED', 'RUNNING') LIMIT 1),
     joined_audit AS (
       INSERT INTO "AuditEntry" ("actorId", "actor", "action", "subject", "after")
       SELECT $3::text, $4::text, 'run.join', 'run:' || a."id", jsonb_build_object('lab', a."labId", 'namespace', a."namespace")
       FROM active a WHERE $5::boolean
       RETURNING 1)
     SELECT lab."id" AS "labId", lab."version", lab."definition", lab."enabled", lab."disruptiveEnabled",
            enr."id" AS "enrollmentId", enr."namespace",
            (SELECT to_jsonb(a) FROM active a) AS "active",
            (SELECT count(*)::int FROM "GradingRun" q WHERE q."namespace" = enr."namespace" AND q."status" = 'QUEUED') AS "queued",
            b."tokens", b."updatedAt" AS "bucketAt"
     FROM (SELECT 1) one
     LEFT JOIN lab ON TRUE
     LEFT JOIN enr ON TRUE
     LEFT JOIN "CooldownBucket" b ON b."userId" = $6::text`,
    input.labId,
    input.enrollmentId ?? input.studentUserId,
    input.audit?.actorId ?? null,
    input.audit?.actor ?? null,
    input.audit !== undefined,
    input.cooldown?.userId ?? null,
  );
  return rows[0]!;
}

function bucketStatus(tokens: number, cfg: CooldownConfig) {
  return { tokensAvailable: Math.floor(tokens), retryAfterSeconds: secondsUntilToken(tokens, cfg) };
}

async function submitOnce(
  db: PrismaClient,
  input: SubmitRunInput,
  queue: QueueOptions,
): Promise<SubmitRunResult | typeof RACED_WITH_FINISHED_RUN> {
  const found = await lookup(db, input);
  if (!found.enrollmentId || !found.namespace) {
    throw input.enrollmentId
      ? new NotFoundError('enrollment', input.enrollmentId)
      : new NotFoundError(
          'enrollment',
          input.studentUserId!,
          `user ${JSON.stringify(input.studentUserId)} has no enrollment`,
        );
  }
  if (!found.labId) throw new NotFoundError('lab', input.labId);
  const cfg = input.cooldown;
  const now = cfg?.now?.() ?? new Date();
  const level = cfg
    ? refilled(
        found.bucketAt ? { tokens: found.tokens!, updatedAt: new Date(found.bucketAt) } : null,
        cfg,
        now,
      )
    : 0;
  if (found.active) {
    return {
      run: runFromJson(found.active),
      joined: true,
      ...(cfg ? { cooldown: bucketStatus(level, cfg) } : {}),
    };
  }
  if (cfg) {
    if (!(cfg.burst >= 1) || !(cfg.rate > 0))
      throw new RangeError(
        `cooldown needs burst >= 1 and rate > 0 (got burst ${cfg.burst}, rate ${cfg.rate})`,
      );
    if (level < 1) throw new CooldownError(secondsUntilToken(level, cfg));
  }

  const definition = found.definition as { checks?: { points?: unknown }[] } | null;
  const maxScore = labMaxScore(definition?.checks);
  const runId = randomUUID();
  const lab = { id: found.labId, enrollmentId: found.enrollmentId, namespace: found.namespace };
  let created: { run: GradingRun; tokensLeft: number | null } | null = null;
  try {
    // Statement 2: pg-boss builds its insert and hands it to this executor, which runs it as the
    // first CTE of the statement that writes everything else.
    await enqueueGradeJob(
      {
        async $queryRawUnsafe<T>(bossSql: string, ...bossValues: unknown[]): Promise<T> {
          const rows = await createStatement(db, bossSql, bossValues, {
            runId,
            input,
            lab,
            maxScore,
            version: found.version,
            disruptive: input.disruptive && found.disruptiveEnabled !== false,
            notifications: [
              encodeMessage({
                topic: runTopic(runId),
                payload: { event: 'queued', runId, labId: lab.id, enrollmentId: lab.enrollmentId },
              }),
              encodeMessage({ topic: QUEUE_TOPIC, payload: { runId } }),
            ],
            now,
          });
          const row = rows[0];
          if (row?.run) created = { run: runFromJson(row.run), tokensLeft: row.tokensLeft };
          return rows as T;
        },
      },
      { runId },
      {
        priority: input.priority ?? jobPriority(input.trigger, found.queued ?? 0),
        leaseSeconds:
          queue.leaseSeconds ?? leaseSecondsFor(found.definition, queue.timeMultiplier ?? envMultiplier()),
        retryLimit: queue.retryLimit ?? DEFAULT_RETRY_LIMIT,
        retryDelaySeconds: queue.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS,
      },
    );
  } catch (err) {
    const refused = refusal(err);
    // Someone else took this user's last token between our two statements.
    if (refused === 'cooldown' && cfg)
      throw new CooldownError(secondsUntilToken(Math.max(0, level - 1), cfg));
    if (refused === 'queue') throw new QueueNotReadyError(`queue '${GRADE_QUEUE}' does not exist`);
    // Another request created the run between our look and our insert: join it.
    if (!isUniqueViolation(err)) throw err;
    const raced = await lookup(db, input);
    if (!raced.active) return RACED_WITH_FINISHED_RUN;
    return {
      run: runFromJson(raced.active),
      joined: true,
      ...(cfg
        ? {
            cooldown: bucketStatus(
              refilled(
                raced.bucketAt ? { tokens: raced.tokens!, updatedAt: new Date(raced.bucketAt) } : null,
                cfg,
                now,
              ),
              cfg,
            ),
          }
        : {}),
    };
  }
  const done = created as { run: GradingRun; tokensLeft: number | null } | null;
  if (!done) throw new QueueNotReadyError(`queue '${GRADE_QUEUE}' does not exist`);
  return {
    run: done.run,
    joined: false,
    ...(cfg ? { cooldown: bucketStatus(done.tokensLeft ?? 0, cfg) } : {}),
  };
}

interface CreateRow {
  id: string | null;
  run: Record<string, unknown> | null;
  tokensLeft: number | null;
}

/** The statement that creates a run: pg-boss's job insert (its SQL and values first), then ours. */
async function createStatement(
  db: PrismaClient,
  bossSql: string,
  bossValues: unknown[],
  c: {
    runId: string;
    input: SubmitRunInput;
    lab: { id: string; enrollmentId: string; namespace: string };
    maxScore: number;
    version: string | null;
    disruptive: boolean;
    notifications: string[];
    now: Date;
  },
): Promise<CreateRow[]> {
  const values: unknown[] = [...bossValues];
  const p = (v: unknown, cast: string) => {
    values.push(v);
    return `$${values.length}::${cast}`;
  };
  const cfg = c.input.cooldown;
  let bucket = '';
  let cooldownCheck = '';
  if (cfg) {
    const user = p(cfg.userId, 'text');
    const burst = p(cfg.burst, 'float8');
    const rate = p(cfg.rate, 'float8');
    const now = p(c.now, 'timestamptz');
    const level = `LEAST(${burst}, b."tokens" + GREATEST(0, EXTRACT(EPOCH FROM (${now} - b."updatedAt"))::float8 / 60) * ${rate})`;
    bucket = `,
     bucket AS (
       INSERT INTO "CooldownBucket" AS b ("userId", "tokens", "updatedAt") VALUES (${user}, ${burst} - 1, ${now})
       ON CONFLICT ("userId") DO UPDATE SET "tokens" = ${level} - 1, "updatedAt" = ${now}
       WHERE ${level} >= 1
       RETURNING b."tokens")`;
    cooldownCheck = `AND (EXISTS (SELECT 1 FROM bucket) OR "kubegrade_refuse"('cooldown'))`;
  }
  const i = c.input;
  const sql = `WITH job AS (${bossSql})${bucket},
     run AS (
       INSERT INTO "GradingRun" ("id", "enrollmentId", "labId", "namespace", "trigger", "triggeredById", "webhookDeliveryId", "disruptive", "maxScore", "labVersion", "jobId")
       SELECT ${p(c.runId, 'text')}, ${p(c.lab.enrollmentId, 'text')}, ${p(c.lab.id, 'text')}, ${p(c.lab.namespace, 'text')}, ${p(i.trigger, 'text')}::"RunTrigger",
              ${p(i.triggeredById ?? null, 'text')}, ${p(i.webhookDeliveryId ?? null, 'text')}, ${p(c.disruptive, 'boolean')}, ${p(c.maxScore, 'float8')},
              ${p(c.version, 'text')}, job."id"::text
       FROM job
       RETURNING *),
     submit_audit AS (
       INSERT INTO "AuditEntry" ("actorId", "actor", "action", "subject", "after")
       SELECT ${p(i.audit?.actorId ?? null, 'text')}, ${p(i.audit?.actor ?? null, 'text')}, 'run.submit', 'run:' || run."id",
              jsonb_build_object('lab', run."labId", 'namespace', run."namespace")
       FROM run WHERE ${p(i.audit !== undefined, 'boolean')}
       RETURNING 1)
     SELECT job."id", to_jsonb(run) AS "run", ${cfg ? '(SELECT "tokens" FROM bucket)' : 'NULL::float8'} AS "tokensLeft",
            ${c.notifications.map((n, k) => `pg_notify(${p(PUBSUB_CHANNEL, 'text')}, ${p(n, 'text')})::text AS "notified${k}"`).join(', ')}
     FROM (SELECT 1) one
     LEFT JOIN job ON TRUE
     LEFT JOIN run ON TRUE
     WHERE (run."id" IS NOT NULL OR "kubegrade_refuse"('queue')) ${cooldownCheck}`;
  return db.$queryRawUnsafe<CreateRow[]>(sql, ...values);
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
export async function cancelRun(
  db: PrismaClient,
  runId: string,
  options: CancelRunOptions = {},
): Promise<GradingRun> {
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
        await notifyRun(
          tx,
          { event: 'cancelled', runId: run.id, labId: run.labId, enrollmentId: run.enrollmentId },
          true,
        );
      }
      return run;
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}

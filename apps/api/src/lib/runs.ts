// The one place apps/api reaches the run lifecycle (submit/join/cancel, queue position, cooldown,
// pub/sub). The contract lives in packages/db/src/runs (owned by the runs/worker work); until it
// lands, this module carries a minimal stand-in with the same signatures so integration is one edit.
import mqemitter from 'mqemitter';
import type { GradingRun, PrismaClient } from '@kubegrade/db';

/** Who or what asked for a run. */
export type Trigger = 'STUDENT' | 'INSTRUCTOR' | 'WEBHOOK' | 'SCHEDULE';

/** submitRun's input (see the run lifecycle contract). */
export interface SubmitRunInput {
  enrollmentId: string;
  labId: string;
  trigger: Trigger;
  triggeredById?: string;
  webhookDeliveryId?: string;
  disruptive: boolean;
  priority?: number;
}

/** The token bucket's settings: tokens per minute and bucket size. */
export interface CooldownConfig {
  rate: number;
  burst: number;
}

/** A mercurius-compatible emitter (mqemitter interface) that also closes. */
export interface PubSub {
  on(topic: string, listener: (message: { topic: string; payload: unknown }, done: () => void) => void, cb?: () => void): unknown;
  emit(message: { topic: string; payload: unknown }, cb?: (err?: Error) => void): unknown;
  removeListener(topic: string, listener: (...args: never[]) => void, cb?: () => void): unknown;
  close(cb?: () => void): unknown;
}

/** Topic of one run's progress events. */
export const runTopic = (runId: string): string => `run:${runId}`;
/** Topic of a lab's scoreboard changes. */
export const scoreboardTopic = (labId: string): string => `scoreboard:${labId}`;

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === 'P2002' || /unique constraint|23505/i.test(e?.message ?? '');
}

/** One queued-or-running run per (namespace, lab): a second request joins the existing run. */
export async function submitRun(db: PrismaClient, input: SubmitRunInput): Promise<{ run: GradingRun; joined: boolean }> {
  const enrollment = await db.enrollment.findUniqueOrThrow({ where: { id: input.enrollmentId } });
  const lab = await db.lab.findUniqueOrThrow({ where: { id: input.labId } });
  const def = lab.definition as { checks?: { points?: number }[] };
  const maxScore = (def.checks ?? []).reduce((s, c) => s + (c.points ?? 0), 0);
  const findActive = () =>
    db.gradingRun.findFirst({
      where: { namespace: enrollment.namespace, labId: input.labId, status: { in: ['QUEUED', 'RUNNING'] } },
    });
  const existing = await findActive();
  if (existing) return { run: existing, joined: true };
  try {
    const run = await db.gradingRun.create({
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
    return { run, joined: false };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const raced = await findActive();
    if (!raced) throw err;
    return { run: raced, joined: true };
  }
}

/** Cancels a queued or running run (a finished run is returned unchanged). */
export async function cancelRun(db: PrismaClient, runId: string): Promise<GradingRun> {
  await db.gradingRun.updateMany({
    where: { id: runId, status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELLED', finishedAt: new Date() },
  });
  return db.gradingRun.findUniqueOrThrow({ where: { id: runId } });
}

/** 1-based queue position and an estimated wait, both null unless the run is QUEUED. */
export async function queueInfo(
  db: PrismaClient,
  runId: string,
): Promise<{ position: number | null; estimatedWaitSeconds: number | null }> {
  const run = await db.gradingRun.findUnique({ where: { id: runId } });
  if (!run || run.status !== 'QUEUED') return { position: null, estimatedWaitSeconds: null };
  const ahead = await db.gradingRun.count({ where: { status: 'QUEUED', queuedAt: { lt: run.queuedAt } } });
  return { position: ahead + 1, estimatedWaitSeconds: null };
}

interface BucketRow {
  tokens: number;
  updatedAt: Date;
}

function refill(row: BucketRow | undefined, cfg: CooldownConfig, now: Date): number {
  if (!row) return cfg.burst;
  const minutes = Math.max(0, (now.getTime() - row.updatedAt.getTime()) / 60000);
  return Math.min(cfg.burst, row.tokens + minutes * cfg.rate);
}

function wait(tokens: number, cfg: CooldownConfig): number {
  return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / cfg.rate) * 60);
}

/** Takes one grading token from the user's bucket, or says how long until one is available. */
export async function takeCooldownToken(
  db: PrismaClient,
  userId: string,
  cfg: CooldownConfig,
): Promise<{ ok: true; tokensLeft: number } | { ok: false; retryAfterSeconds: number }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`INSERT INTO "CooldownBucket" ("userId", tokens, "updatedAt") VALUES (${userId}, ${cfg.burst}, now()) ON CONFLICT DO NOTHING`;
    const rows = await tx.$queryRaw<BucketRow[]>`SELECT tokens, "updatedAt" FROM "CooldownBucket" WHERE "userId" = ${userId} FOR UPDATE`;
    const now = new Date();
    const tokens = refill(rows[0], cfg, now);
    if (tokens < 1) return { ok: false as const, retryAfterSeconds: wait(tokens, cfg) };
    await tx.cooldownBucket.update({ where: { userId }, data: { tokens: tokens - 1, updatedAt: now } });
    return { ok: true as const, tokensLeft: Math.floor(tokens - 1) };
  });
}

/** The user's bucket as it stands: whole tokens available and seconds until the next one. */
export async function cooldownStatus(
  db: PrismaClient,
  userId: string,
  cfg: CooldownConfig,
): Promise<{ tokensAvailable: number; retryAfterSeconds: number }> {
  const row = await db.cooldownBucket.findUnique({ where: { userId } });
  const tokens = refill(row ?? undefined, cfg, new Date());
  return { tokensAvailable: Math.floor(tokens), retryAfterSeconds: wait(tokens, cfg) };
}

/** The pub/sub emitter subscriptions listen on (stand-in: in-process only). */
export async function createPubSub(_databaseUrl: string): Promise<PubSub> {
  return mqemitter() as unknown as PubSub;
}

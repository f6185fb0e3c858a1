// The per-student grading cooldown: a token bucket kept in PostgreSQL (CooldownBucket) so every api
// process shares it. A token is taken when a run is queued, so queued and running jobs count
// against the bucket; a run that ends in an infrastructure error gives its token back.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/** Bucket settings: tokens regained per minute, bucket size; `now` is injectable for tests. */
export interface CooldownConfig {
  rate: number;
  burst: number;
  now?: () => Date;
}

/** The bucket when nothing is configured (COOLDOWN_RATE_PER_MINUTE, COOLDOWN_BURST): 2 per minute, 3 at once. */
export const DEFAULT_COOLDOWN = { rate: 2, burst: 3 } as const satisfies CooldownConfig;

/** takeCooldownToken's answer. */
export type CooldownTake = { ok: true; tokensLeft: number } | { ok: false; retryAfterSeconds: number };

interface BucketRow {
  tokens: number;
  updatedAt: Date;
}

/** The bucket's level at `now`: the stored level plus what has trickled back since, capped at burst. */
export function refilled(row: BucketRow | null | undefined, cfg: CooldownConfig, now: Date): number {
  if (!row) return cfg.burst;
  const minutes = Math.max(0, (now.getTime() - row.updatedAt.getTime()) / 60_000);
  return Math.min(cfg.burst, row.tokens + minutes * cfg.rate);
}

/** Seconds until the bucket holds a whole token again (0 when it already does). */
export function secondsUntilToken(tokens: number, cfg: CooldownConfig): number {
  if (tokens >= 1) return 0;
  if (cfg.rate <= 0) return Number.POSITIVE_INFINITY;
  // The epsilon keeps float noise (0.666...7 tokens) from adding a second.
  return Math.ceil(((1 - tokens) / cfg.rate) * 60 - 1e-9);
}

function validate(cfg: CooldownConfig): void {
  if (!(cfg.burst >= 1) || !(cfg.rate > 0)) {
    throw new RangeError(`cooldown needs burst >= 1 and rate > 0 (got burst ${cfg.burst}, rate ${cfg.rate})`);
  }
}

/** Takes one token inside `tx` (the row is locked until the transaction ends). */
export async function takeTokenIn(
  tx: Prisma.TransactionClient,
  userId: string,
  cfg: CooldownConfig,
): Promise<CooldownTake> {
  validate(cfg);
  const now = cfg.now?.() ?? new Date();
  // Insert-if-missing first so FOR UPDATE always has a row to lock: two first requests serialise.
  await tx.$executeRaw`INSERT INTO "CooldownBucket" ("userId", "tokens", "updatedAt") VALUES (${userId}, ${cfg.burst}, ${now}) ON CONFLICT ("userId") DO NOTHING`;
  const rows = await tx.$queryRaw<
    BucketRow[]
  >`SELECT "tokens", "updatedAt" FROM "CooldownBucket" WHERE "userId" = ${userId} FOR UPDATE`;
  const tokens = refilled(rows[0], cfg, now);
  if (tokens < 1) return { ok: false, retryAfterSeconds: secondsUntilToken(tokens, cfg) };
  await tx.$executeRaw`UPDATE "CooldownBucket" SET "tokens" = ${tokens - 1}, "updatedAt" = ${now} WHERE "userId" = ${userId}`;
  return { ok: true, tokensLeft: Math.floor(tokens - 1) };
}

/** Takes one grading token from the user's bucket, or says how long until one is available. */
export async function takeCooldownToken(
  db: PrismaClient,
  userId: string,
  cfg: CooldownConfig,
): Promise<CooldownTake> {
  // Requests queue on the row lock; Prisma's default 2 s wait for a pooled connection is too short under load.
  return db.$transaction((tx) => takeTokenIn(tx, userId, cfg), { maxWait: 10_000, timeout: 20_000 });
}

/** The user's bucket as it stands: whole tokens available and seconds until the next one. */
export async function cooldownStatus(
  db: PrismaClient,
  userId: string,
  cfg: CooldownConfig,
): Promise<{ tokensAvailable: number; retryAfterSeconds: number }> {
  validate(cfg);
  const row = await db.cooldownBucket.findUnique({ where: { userId } });
  const tokens = refilled(row, cfg, cfg.now?.() ?? new Date());
  return { tokensAvailable: Math.floor(tokens), retryAfterSeconds: secondsUntilToken(tokens, cfg) };
}

/** Gives one token back (a run that failed for infrastructure reasons must not cost the student). */
export async function refundCooldownToken(
  db: Prisma.TransactionClient | PrismaClient,
  userId: string,
  cfg: CooldownConfig,
): Promise<void> {
  validate(cfg);
  const now = cfg.now?.() ?? new Date();
  const rows = await db.$queryRaw<
    BucketRow[]
  >`SELECT "tokens", "updatedAt" FROM "CooldownBucket" WHERE "userId" = ${userId} FOR UPDATE`;
  if (!rows[0]) return; // No bucket: nothing was ever taken.
  const tokens = Math.min(cfg.burst, refilled(rows[0], cfg, now) + 1);
  await db.$executeRaw`UPDATE "CooldownBucket" SET "tokens" = ${tokens}, "updatedAt" = ${now} WHERE "userId" = ${userId}`;
}

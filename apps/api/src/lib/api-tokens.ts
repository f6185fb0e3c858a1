// API tokens for scripts and CI: `kgt_<random>` shown once, only its sha256 stored; each token acts
// as its creator (an instructor or admin) narrowed to its scopes, until it expires or is revoked.
// Every use and every refusal is an audit row.
import type { ApiToken, PrismaClient } from '@kubegrade/db';
import { hashToken, newToken } from './crypto.ts';
import { audit } from './audit.ts';
import { ApiError } from './errors.ts';
import { toSessionUser } from './sign-in.ts';
import type { ApiTokenGrant, SessionUser } from '../types.ts';

/** The scopes a token may carry (what each grants is in graphql/rules.ts, `tokenRules`). */
export const TOKEN_SCOPES = ['scoreboard:read', 'runs:read', 'regrade:write', 'roster:write'] as const;

/** One token scope. */
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Throws FORBIDDEN unless the token carries one of `allowed`. */
export function guardToken(grant: ApiTokenGrant, allowed: readonly TokenScope[], operation: string): void {
  if (allowed.some((s) => grant.scopes.includes(s))) return;
  const need = allowed.length
    ? `a token with scope ${allowed.join(' or ')}`
    : 'a signed-in session (API tokens cannot call it)';
  throw new ApiError(
    'FORBIDDEN',
    `${operation} needs ${need}; this token has ${grant.scopes.join(', ') || 'no scopes'}`,
    { missingScopes: allowed },
  );
}

/** The prefix that marks a Kubegrade API token (lets secret scanners and people recognise one). */
export const TOKEN_PREFIX = 'kgt_';

/** Longest lifetime a token may be given. */
export const MAX_TOKEN_DAYS = 366;

/** Creates a token for `actor`; the plaintext is returned once. */
export async function createApiToken(
  db: PrismaClient,
  input: { name: string; scopes: TokenScope[]; expiresInDays: number },
  actor: SessionUser,
): Promise<{ token: ApiToken; secret: string }> {
  const secret = `${TOKEN_PREFIX}${newToken(32)}`;
  const expiresAt = new Date(Date.now() + input.expiresInDays * 24 * 60 * 60 * 1000);
  const token = await db.apiToken.create({
    data: {
      name: input.name,
      scopes: [...new Set(input.scopes)],
      userId: actor.id,
      tokenHash: hashToken(secret),
      expiresAt,
    },
  });
  await audit(db, {
    actor,
    action: 'token.create',
    subject: `token:${token.id}`,
    after: { name: token.name, scopes: token.scopes, expiresAt: expiresAt.toISOString() },
  });
  return { token, secret };
}

/** Revokes a token now. */
export async function revokeApiToken(
  db: PrismaClient,
  token: ApiToken,
  actor: SessionUser,
): Promise<ApiToken> {
  const updated = await db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
  await audit(db, {
    actor,
    action: 'token.revoke',
    subject: `token:${token.id}`,
    after: { name: token.name, ownerId: token.userId },
  });
  return updated;
}

/** Refusals audited per client address and minute; past it they are refused without a row each. */
export const REFUSALS_AUDITED_PER_MINUTE = 20;
const refusals = new Map<string, { count: number; resetAt: number }>();

/** Whether this refusal should be audited (a client guessing tokens cannot flood the audit log). */
function auditThisRefusal(ip: string, now = Date.now()): boolean {
  if (refusals.size > 10_000) for (const [k, v] of refusals) if (v.resetAt <= now) refusals.delete(k);
  const r = refusals.get(ip);
  if (!r || r.resetAt <= now) {
    refusals.set(ip, { count: 1, resetAt: now + 60_000 });
    return true;
  }
  r.count += 1;
  return r.count <= REFUSALS_AUDITED_PER_MINUTE;
}

/** What a bearer credential resolved to. */
export type BearerResult =
  { ok: true; user: SessionUser; grant: ApiTokenGrant } | { ok: false; reason: string };

/**
 * Resolves `Authorization: Bearer <token>`: unknown, expired, revoked tokens and tokens of users who
 * are no longer staff are refused (and audited); a good one is audited as a use.
 */
export async function resolveBearer(
  db: PrismaClient,
  secret: string,
  use: { method: string; path: string; ip: string },
): Promise<BearerResult> {
  const row =
    secret.startsWith(TOKEN_PREFIX) && secret.length <= 200
      ? await db.apiToken.findUnique({ where: { tokenHash: hashToken(secret) }, include: { user: true } })
      : null;
  const now = new Date();
  const refuse = async (reason: string): Promise<BearerResult> => {
    if (!auditThisRefusal(use.ip)) return { ok: false, reason };
    await audit(db, {
      actor: row ? toSessionUser(row.user) : null,
      action: 'token.refused',
      subject: row ? `token:${row.id}` : undefined,
      reason,
      after: use,
    });
    return { ok: false, reason };
  };
  if (!row) return refuse('unknown token');
  if (row.revokedAt) return refuse('this token was revoked');
  if (row.expiresAt && row.expiresAt <= now) return refuse('this token has expired');
  if (row.user.role === 'STUDENT') return refuse("the token's owner is no longer an instructor or admin");
  const user = toSessionUser(row.user);
  await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  await audit(db, { actor: user, action: 'token.use', subject: `token:${row.id}`, after: use });
  return { ok: true, user, grant: { id: row.id, name: row.name, scopes: row.scopes } };
}

/** Audits an operation a token was not allowed to call. */
export async function auditTokenRefusal(
  db: PrismaClient,
  user: SessionUser | null,
  grant: ApiTokenGrant,
  operation: string,
  reason: string,
): Promise<void> {
  await audit(db, {
    actor: user,
    action: 'token.refused',
    subject: `token:${grant.id}`,
    reason,
    after: { operation, scopes: grant.scopes },
  });
}

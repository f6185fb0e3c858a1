// @fastify/session store backed by the Session table, so every api process shares sessions.
//
// Reading a session is one statement that also reads its user (role, name, ...): the user is always
// the row as it is now, so a role change or a deleted account takes effect on the next request, and
// logging out (deleting the row) ends the session at once. Nothing is written per request: the
// plugin runs with rolling: false, and `refreshIfAging` re-saves a session (new expiry, new cookie)
// only once it has lived half its lifetime.
import type { SessionStore } from '@fastify/session';
import type { Prisma, PrismaClient } from '@kubegrade/db';
import type { FastifyRequest, Session } from 'fastify';
import type { SessionUser } from '../types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The key under which `get` hands the session's current user to the request (never stored). */
const USER_KEY = 'user';

function expiryOf(session: Session): Date {
  const cookie = session.cookie as { expires?: Date | string | null; maxAge?: number | null } | undefined;
  if (cookie?.expires) return new Date(cookie.expires);
  return new Date(Date.now() + (cookie?.maxAge ?? DAY_MS));
}

interface SessionRow {
  data: Record<string, unknown>;
  expiresAt: Date;
  id: string | null;
  email: string;
  name: string;
  role: SessionUser['role'];
  studentId: string | null;
}

/** A SessionStore over Prisma; expired rows read as absent and are pruned by `prune()`. */
export class PrismaSessionStore implements SessionStore {
  constructor(private readonly db: PrismaClient) {}

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    delete data[USER_KEY];
    const userId = session.userId ?? null;
    const expiresAt = expiryOf(session);
    this.db.session
      .upsert({
        where: { id: sessionId },
        create: { id: sessionId, data: data as Prisma.InputJsonValue, userId, expiresAt },
        update: { data: data as Prisma.InputJsonValue, userId, expiresAt },
      })
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    this.db.$queryRaw<SessionRow[]>`
        SELECT s."data", s."expiresAt", u."id", u."email", u."name", u."role"::text AS "role", u."studentId"
        FROM "Session" s LEFT JOIN "User" u ON u."id" = s."userId"
        WHERE s."id" = ${sessionId}`.then((rows) => {
      const row = rows[0];
      if (!row || new Date(row.expiresAt).getTime() <= Date.now()) return callback(null, null);
      const data = { ...row.data };
      delete data[USER_KEY];
      if (row.id)
        data[USER_KEY] = {
          id: row.id,
          email: row.email,
          name: row.name,
          role: row.role,
          studentId: row.studentId,
        } satisfies SessionUser;
      callback(null, data as unknown as Session);
    }, callback);
  }

  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    this.db.session.deleteMany({ where: { id: sessionId } }).then(() => callback(), callback);
  }

  /** Deletes expired sessions. */
  async prune(): Promise<number> {
    const { count } = await this.db.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    return count;
  }
}

/** The signed-in user of a session as the store read it (null when signed out or for a new session). */
export function sessionUser(session: Session | undefined): SessionUser | null {
  if (!session?.userId) return null;
  const user = (session as unknown as Record<string, unknown>)[USER_KEY] as SessionUser | undefined;
  return user && user.id === session.userId ? user : null;
}

/**
 * The expiry refresh rule (sessions are not rolling): a signed-in session with less than half of
 * `ttlMs` left gets a new expiry, so it is saved (row and cookie) once at the end of this request.
 */
export function refreshIfAging(session: FastifyRequest['session'], ttlMs: number, now = Date.now()): boolean {
  if (!session.userId) return false;
  // A restored cookie's `expires` slides with maxAge; `originalExpires` is the one stored.
  const cookie = session.cookie as
    { originalExpires?: Date | string | null; expires?: Date | string | null } | undefined;
  const stored = cookie?.originalExpires ?? cookie?.expires;
  const expires = stored ? new Date(stored).getTime() : 0;
  if (expires - now >= ttlMs / 2) return false;
  session.touch();
  // touch() alone changes only the cookie, which the session's change detection ignores.
  (session as unknown as Record<string, unknown>).refreshedAt = now;
  return true;
}

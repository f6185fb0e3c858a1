// @fastify/session store backed by the Session table, so every api process shares sessions.
import type { SessionStore } from '@fastify/session';
import type { Prisma, PrismaClient } from '@kubegrade/db';
import type { Session } from 'fastify';

const DAY_MS = 24 * 60 * 60 * 1000;

function expiryOf(session: Session): Date {
  const cookie = session.cookie as { expires?: Date | string | null; maxAge?: number | null } | undefined;
  if (cookie?.expires) return new Date(cookie.expires);
  return new Date(Date.now() + (cookie?.maxAge ?? DAY_MS));
}

/** A SessionStore over Prisma; expired rows read as absent and are pruned by `prune()`. */
export class PrismaSessionStore implements SessionStore {
  constructor(private readonly db: PrismaClient) {}

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    const data = JSON.parse(JSON.stringify(session)) as Prisma.InputJsonValue;
    const userId = session.userId ?? null;
    const expiresAt = expiryOf(session);
    this.db.session
      .upsert({
        where: { id: sessionId },
        create: { id: sessionId, data, userId, expiresAt },
        update: { data, userId, expiresAt },
      })
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    this.db.session
      .findUnique({ where: { id: sessionId } })
      .then((row) => {
        if (!row || row.expiresAt.getTime() <= Date.now()) return callback(null, null);
        callback(null, row.data as unknown as Session);
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

// Signing a user in: the public fields a session carries, and a fresh session (new id, against
// fixation) for password, OIDC and LTI sign-ins alike.
import type { FastifyRequest } from 'fastify';
import { CLOSE } from './live-sockets.ts';
import type { SessionUser } from '../types.ts';

/** The public fields of a user. */
export function toSessionUser(u: {
  id: string;
  email: string;
  name: string;
  role: SessionUser['role'];
  studentId: string | null;
}): SessionUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role, studentId: u.studentId };
}

/** Starts a fresh session (new id, against fixation) for `user`, keeping the CSRF secret. */
export async function signIn(request: FastifyRequest, user: SessionUser): Promise<void> {
  // Sockets opened under the old session id belong to whoever was signed in before.
  request.server.liveSockets.closeSession(request.session.sessionId, CLOSE.signedOut, 'signed in again');
  await request.session.regenerate(['_csrf']);
  request.session.userId = user.id;
  request.user = user;
  await request.server.db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
}

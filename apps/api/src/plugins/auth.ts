// Sign-in and sessions: @fastify/session rows in PostgreSQL behind an httpOnly SameSite=Lax cookie,
// CSRF tokens bound to the session for every state-changing request, argon2id passwords, one-time
// set-password links from roster imports, and OIDC sign-in when configured.
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import csrf from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PrismaSessionStore } from '../lib/session-store.ts';
import { ApiError, restError } from '../lib/errors.ts';
import { checkPassword, hashPassword, MIN_PASSWORD_LENGTH } from '../lib/passwords.ts';
import { hashToken } from '../lib/crypto.ts';
import { audit } from '../lib/audit.ts';
import { registerOidc } from '../lib/oidc.ts';
import type { SessionUser } from '../types.ts';

/** The cookie that carries the session id. */
export const SESSION_COOKIE = 'kg_session';
const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Webhooks authenticate with HMAC, not a browser session, so CSRF does not apply to them.
const CSRF_EXEMPT = [/^\/webhooks\//];

const loginBody = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(1024) });
const setPasswordBody = z.object({
  token: z.string().min(10).max(200),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `the password needs at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024),
});

// Behind the web app's proxy every browser shares one client IP, so sign-in attempts are counted
// per IP *and* account (the limit runs after body parsing to see the email).
function limitPer(max: number) {
  return { max, timeWindow: '1 minute', hook: 'preHandler' as const };
}

function bodyField(req: FastifyRequest, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** The public fields of a user. */
export function toSessionUser(u: { id: string; email: string; name: string; role: SessionUser['role']; studentId: string | null }): SessionUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role, studentId: u.studentId };
}

/** Starts a fresh session (new id, against fixation) for `user`, keeping the CSRF secret. */
export async function signIn(request: FastifyRequest, user: SessionUser): Promise<void> {
  await request.session.regenerate(['_csrf']);
  request.session.userId = user.id;
  request.user = user;
  await request.server.db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
}

/** Registers cookie, session, CSRF, the request.user hook and the /auth routes. */
export default fp(
  async (app) => {
    const { config, db } = app;
    const store = new PrismaSessionStore(db);
    await app.register(cookie);
    await app.register(session, {
      secret: config.sessionSecret,
      cookieName: SESSION_COOKIE,
      store,
      saveUninitialized: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.publicUrl.startsWith('https:'),
        path: '/',
        maxAge: SESSION_TTL_MS,
      },
    });
    await app.register(csrf, {
      sessionPlugin: '@fastify/session',
      getToken: (req: FastifyRequest) => {
        const h = req.headers['x-csrf-token'];
        return Array.isArray(h) ? h[0] : h;
      },
    });

    // Expired session rows are only ever read as absent; sweep them now and then.
    const sweep = setInterval(() => {
      store.prune().catch((err: unknown) => app.log.warn({ err }, 'could not prune expired sessions'));
    }, 60 * 60 * 1000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));

    app.decorateRequest('user', null);
    app.addHook('onRequest', async (request) => {
      const userId = request.session?.userId;
      if (!userId) return;
      const u = await db.user.findUnique({ where: { id: userId } });
      request.user = u ? toSessionUser(u) : null;
    });
    app.addHook('onRequest', (request, reply, done) => {
      const path = request.url.split('?')[0] ?? '';
      if (!STATE_CHANGING.has(request.method) || CSRF_EXEMPT.some((re) => re.test(path))) return done();
      app.csrfProtection(request, reply, done);
    });

    app.get('/auth/csrf', async (_request, reply) => ({ token: reply.generateCsrf() }));

    app.get('/auth/providers', async () => ({ password: true, oidc: config.oidc !== null }));

    app.get('/auth/me', async (request) => ({ user: request.user }));

    app.post(
      '/auth/login',
      { config: { rateLimit: { ...limitPer(config.loginRateLimitPerMinute), keyGenerator: (req) => `login|${req.ip}|${bodyField(req, 'email').toLowerCase()}` } } },
      async (request, reply) => {
        const parsed = loginBody.safeParse(request.body);
        if (!parsed.success) return reply.code(400).send(restError('BAD_USER_INPUT', 'send { "email": "...", "password": "..." }'));
        const { email, password } = parsed.data;
        const user = await db.user.findUnique({ where: { email } });
        const ok = await checkPassword(user?.passwordHash ?? null, password);
        if (!user || !ok) {
          await audit(db, { actor: email, action: 'auth.login.failed', subject: user ? `user:${user.id}` : undefined, reason: user ? 'wrong password' : 'unknown email', after: { ip: request.ip } });
          return reply.code(401).send(restError('INVALID_CREDENTIALS', 'the email or password is wrong'));
        }
        const su = toSessionUser(user);
        await signIn(request, su);
        await audit(db, { actor: su, action: 'auth.login', subject: `user:${su.id}`, after: { ip: request.ip, method: 'password' } });
        return { user: su };
      },
    );

    app.post('/auth/logout', async (request, reply) => {
      if (request.user) await audit(db, { actor: request.user, action: 'auth.logout', subject: `user:${request.user.id}` });
      await request.session.destroy();
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    app.post(
      '/auth/set-password',
      { config: { rateLimit: { ...limitPer(config.loginRateLimitPerMinute), keyGenerator: (req) => `setpw|${req.ip}|${hashToken(bodyField(req, 'token'))}` } } },
      async (request, reply) => {
        const parsed = setPasswordBody.safeParse(request.body);
        if (!parsed.success) {
          return reply.code(400).send(restError('BAD_USER_INPUT', parsed.error.issues.map((i) => i.message).join('; ')));
        }
        const { token, password } = parsed.data;
        const tokenHash = hashToken(token);
        const user = await db.user.findUnique({ where: { passwordSetTokenHash: tokenHash } });
        const passwordHash = await hashPassword(password);
        // The UPDATE re-checks and consumes the token, so a link works exactly once even when raced.
        const { count } = user
          ? await db.user.updateMany({
              where: { id: user.id, passwordSetTokenHash: tokenHash, passwordSetTokenExpiresAt: { gt: new Date() } },
              data: { passwordHash, passwordSetTokenHash: null, passwordSetTokenExpiresAt: null },
            })
          : { count: 0 };
        if (!user || count !== 1) {
          return reply
            .code(400)
            .send(restError('BAD_USER_INPUT', 'this link is expired or was already used; ask your instructor for a new one'));
        }
        const su = toSessionUser(user);
        await signIn(request, su);
        await audit(db, { actor: su, action: 'auth.password.set', subject: `user:${su.id}` });
        return { user: su };
      },
    );

    if (config.oidc) await registerOidc(app, config.oidc);
  },
  { name: 'auth', dependencies: ['config', 'db', 'rateLimit'] },
);

/** Throws UNAUTHENTICATED unless someone is signed in. */
export function requireUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw new ApiError('UNAUTHENTICATED', 'sign in first');
  return request.user;
}

/** Sends a REST error for an ApiError (routes use this instead of throwing). */
export function sendApiError(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.httpStatus).send(restError(err.code, err.message));
}

// Sign-in and sessions: @fastify/session rows in PostgreSQL behind an httpOnly SameSite=Lax cookie,
// CSRF tokens bound to the session for every state-changing request, argon2id passwords, one-time
// set-password links from roster imports, and OIDC sign-in when configured.
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import csrf from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PrismaSessionStore, refreshIfAging, sessionUser } from '../lib/session-store.ts';
import { ApiError, restError } from '../lib/errors.ts';
import { fixedMessage, plainMessages, zodRoutes } from '../lib/routes.ts';
import { checkPassword, hashPassword, MIN_PASSWORD_LENGTH } from '../lib/passwords.ts';
import { hashToken } from '../lib/crypto.ts';
import { audit } from '../lib/audit.ts';
import { signIn, toSessionUser } from '../lib/sign-in.ts';
import { resolveBearer } from '../lib/api-tokens.ts';
import { CLOSE, LiveSockets } from '../lib/live-sockets.ts';
import { LoginLimited, loginLimits, type LoginAttempt } from '../lib/login-limits.ts';

/** The cookie that carries the session id. */
export const SESSION_COOKIE = 'kg_session';
const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Webhooks authenticate with HMAC, and LTI's cross-site posts with the platform's signed id_token
// and a one-time state, not a browser session, so CSRF does not apply to them.
const CSRF_EXEMPT = [/^\/webhooks\//, /^\/lti\/(login|launch)$/];

/**
 * The one spelling of an email address: Unicode NFKC, trimmed (spaces, tabs, newlines), lower case.
 * The sign-in rate limit and the account lookup both use it, so `" x@y"` and `"X@Y\t"` are one
 * account with one bucket.
 */
export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

const loginBody = z.object({
  email: z.string().max(320).transform(normalizeEmail).pipe(z.string().email()),
  password: z.string().min(1).max(1024),
});
const setPasswordBody = z.object({
  token: z.string().min(10).max(200),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `the password needs at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024),
});

// Sign-in attempts are limited in lib/login-limits.ts; set-password links per client and link here
// (@fastify/rate-limit). request.ip is the client only as far as TRUST_PROXY trusts the hops in front
// (the web app's proxy sets X-Forwarded-For to the address it saw).
function limitPer(max: number) {
  return { max, timeWindow: '1 minute', hook: 'preValidation' as const };
}

function bodyField(req: FastifyRequest, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

// Routes an API token works on; login, logout, set-password and the rest stay cookie-only.
const TOKEN_ROUTES = [/^\/graphql$/, /^\/export\//];

/** The bearer token of a request to a token route (not a WebSocket upgrade), else null. */
function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (!h || request.headers.upgrade) return null;
  const m = /^Bearer +(\S+)\s*$/i.exec(h);
  if (!m?.[1]) return null;
  const path = request.url.split('?')[0] ?? '';
  return TOKEN_ROUTES.some((re) => re.test(path)) ? m[1] : null;
}

/** Registers cookie, session, CSRF, the request.user hook and the /auth routes. */
export default fp(
  async (app) => {
    const { config, db } = app;
    const store = new PrismaSessionStore(db);
    app.decorate('liveSockets', new LiveSockets());
    await app.register(cookie);
    await app.register(session, {
      secret: config.sessionSecret,
      cookieName: SESSION_COOKIE,
      store,
      saveUninitialized: false,
      // No write per request: refreshIfAging (below) renews a session once it is half way to expiry.
      rolling: false,
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
    const sweep = setInterval(
      () => {
        store.prune().catch((err: unknown) => app.log.warn({ err }, 'could not prune expired sessions'));
      },
      60 * 60 * 1000,
    );
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));

    app.decorateRequest('user', null);
    app.decorateRequest('apiToken', null);
    app.addHook('onRequest', async (request, reply) => {
      // An API token authenticates only where scripts belong (GraphQL over HTTP, the exports); there
      // the session cookie is ignored, and on every other route the header is.
      const bearer = bearerToken(request);
      if (bearer !== null) {
        const result = await resolveBearer(db, bearer, {
          method: request.method,
          path: request.url.split('?')[0] ?? '',
          ip: request.ip,
        });
        if (!result.ok)
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer error="invalid_token"')
            .send(restError('UNAUTHENTICATED', result.reason));
        request.user = result.user;
        request.apiToken = result.grant;
        return;
      }
      // The store read the session and its user (as the row is now) in one statement.
      if (!request.session?.userId) return;
      request.user = sessionUser(request.session);
      if (request.user) refreshIfAging(request.session, SESSION_TTL_MS);
    });
    app.addHook('onRequest', (request, reply, done) => {
      const path = request.url.split('?')[0] ?? '';
      // A bearer token is not sent by browsers on their own, so CSRF does not apply to it.
      if (!STATE_CHANGING.has(request.method) || request.apiToken || CSRF_EXEMPT.some((re) => re.test(path)))
        return done();
      app.csrfProtection(request, reply, done);
    });

    const limits = loginLimits(config.loginRateLimitPerMinute, config.loginClientRateLimitPerMinute);
    const attempts = new WeakMap<FastifyRequest, LoginAttempt>();
    // After body parsing (to see the email) and before the body's schema, so a malformed attempt
    // counts too.
    const claimAttempt = async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        attempts.set(request, await limits.attempt(request.ip, normalizeEmail(bodyField(request, 'email'))));
      } catch (err) {
        if (err instanceof LoginLimited) reply.header('retry-after', String(err.retryAfterSeconds));
        throw err;
      }
    };

    await zodRoutes(app, (r) => {
      r.get('/auth/csrf', async (_request, reply) => ({ token: reply.generateCsrf() }));

      r.get('/auth/providers', async () => ({ password: true, oidc: config.oidc !== null }));

      r.get('/auth/me', async (request) => ({ user: request.user }));

      r.post(
        '/auth/login',
        {
          schema: { body: loginBody },
          schemaErrorFormatter: fixedMessage('send { "email": "...", "password": "..." }'),
          preValidation: claimAttempt,
        },
        async (request) => {
          const { email, password } = request.body;
          const user = await db.user.findUnique({ where: { email } });
          const ok = await checkPassword(user?.passwordHash ?? null, password);
          if (!user || !ok) {
            await audit(db, {
              actor: email,
              action: 'auth.login.failed',
              subject: user ? `user:${user.id}` : undefined,
              reason: user ? 'wrong password' : 'unknown email',
              after: { ip: request.ip },
            });
            throw new ApiError('INVALID_CREDENTIALS', 'the email or password is wrong');
          }
          const su = toSessionUser(user);
          await attempts.get(request)?.succeeded();
          await signIn(request, su);
          await audit(db, {
            actor: su,
            action: 'auth.login',
            subject: `user:${su.id}`,
            after: { ip: request.ip, method: 'password' },
          });
          return { user: su };
        },
      );

      r.post('/auth/logout', async (request, reply) => {
        if (request.user)
          await audit(db, { actor: request.user, action: 'auth.logout', subject: `user:${request.user.id}` });
        const sessionId = request.session.sessionId;
        await request.session.destroy();
        // The session's open subscriptions end with it.
        app.liveSockets.closeSession(sessionId, CLOSE.signedOut, 'signed out');
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send();
      });

      r.post(
        '/auth/set-password',
        {
          schema: { body: setPasswordBody },
          schemaErrorFormatter: plainMessages,
          config: {
            rateLimit: {
              ...limitPer(config.loginRateLimitPerMinute),
              keyGenerator: (req) => `setpw|${req.ip}|${hashToken(bodyField(req, 'token'))}`,
            },
          },
        },
        async (request) => {
          const { token, password } = request.body;
          const tokenHash = hashToken(token);
          const user = await db.user.findUnique({ where: { passwordSetTokenHash: tokenHash } });
          const passwordHash = await hashPassword(password);
          // The UPDATE re-checks and consumes the token, so a link works exactly once even when raced.
          const { count } = user
            ? await db.user.updateMany({
                where: {
                  id: user.id,
                  passwordSetTokenHash: tokenHash,
                  passwordSetTokenExpiresAt: { gt: new Date() },
                },
                data: { passwordHash, passwordSetTokenHash: null, passwordSetTokenExpiresAt: null },
              })
            : { count: 0 };
          if (!user || count !== 1)
            throw new ApiError(
              'BAD_USER_INPUT',
              'this link is expired or was already used; ask your instructor for a new one',
            );
          const su = toSessionUser(user);
          await attempts.get(request)?.succeeded();
          await signIn(request, su);
          await audit(db, { actor: su, action: 'auth.password.set', subject: `user:${su.id}` });
          return { user: su };
        },
      );
    });
  },
  { name: 'auth', dependencies: ['config', 'db', 'rateLimit'] },
);

// OIDC sign-in (authorization code + PKCE) through openid-client, when OIDC_* are set. Only people
// already on the roster (matched by verified email, then bound by `sub`) may sign in this way.
import fp from 'fastify-plugin';
import * as client from 'openid-client';
import { ApiError } from '../lib/errors.ts';
import { audit } from '../lib/audit.ts';
import { signIn, toSessionUser } from '../lib/sign-in.ts';

/** Registers GET /auth/oidc/login and /auth/oidc/callback (nothing without an OIDC configuration). */
export default fp(
  async (app) => {
    const { db, config } = app;
    const oidc = config.oidc;
    if (!oidc) return;
    let discovered: Promise<client.Configuration> | null = null;
    // Discovery is lazy so the api starts even while the identity provider is down.
    const configuration = () => {
      const options = oidc.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined;
      discovered ??= client
        .discovery(new URL(oidc.issuer), oidc.clientId, oidc.clientSecret, undefined, options)
        .catch((err: unknown) => {
          discovered = null;
          throw err;
        });
      return discovered;
    };
    const redirectUri = `${config.apiPublicUrl}/auth/oidc/callback`;

    app.get('/auth/oidc/login', async (request, reply) => {
      const cfg = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      request.session.oidc = { state, nonce, codeVerifier };
      const url = client.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return reply.redirect(url.href);
    });

    app.get('/auth/oidc/callback', async (request, reply) => {
      const pending = request.session.oidc;
      if (!pending) throw new ApiError('BAD_USER_INPUT', 'no sign-in in progress; start again');
      delete request.session.oidc;
      const cfg = await configuration();
      const current = new URL(request.url, config.apiPublicUrl);
      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(cfg, current, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        });
        claims = tokens.claims();
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, 'OIDC callback refused');
        throw new ApiError('INVALID_CREDENTIALS', 'the identity provider did not confirm the sign-in');
      }
      if (!claims) throw new ApiError('INVALID_CREDENTIALS', 'the identity provider sent no ID token');
      const email =
        typeof claims.email === 'string' && claims.email_verified !== false
          ? claims.email.toLowerCase()
          : null;
      const user =
        (await db.user.findUnique({ where: { oidcSubject: claims.sub } })) ??
        (email ? await db.user.findUnique({ where: { email } }) : null);
      if (!user) {
        await audit(db, {
          actor: email ?? `oidc:${claims.sub}`,
          action: 'auth.login.failed',
          reason: 'not on the roster',
          after: { method: 'oidc' },
        });
        throw new ApiError('FORBIDDEN', 'this account is not on the course roster; ask your instructor');
      }
      if (user.oidcSubject && user.oidcSubject !== claims.sub) {
        await audit(db, {
          actor: email ?? `oidc:${claims.sub}`,
          action: 'auth.login.failed',
          subject: `user:${user.id}`,
          reason: 'account bound to another OIDC subject',
          after: { method: 'oidc' },
        });
        throw new ApiError('FORBIDDEN', 'this account is linked to another identity-provider account');
      }
      if (!user.oidcSubject)
        await db.user.update({ where: { id: user.id }, data: { oidcSubject: claims.sub } });
      const su = toSessionUser(user);
      await signIn(request, su);
      await audit(db, {
        actor: su,
        action: 'auth.login',
        subject: `user:${su.id}`,
        after: { method: 'oidc' },
      });
      return reply.redirect(config.publicUrl + '/');
    });
  },
  { name: 'oidc', dependencies: ['config', 'db', 'auth'] },
);

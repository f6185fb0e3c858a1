// OIDC sign-in against a small identity provider served here (discovery, JWKS, token endpoint with
// RS256-signed ID tokens): roster members sign in, strangers are refused, state is checked.
import { createServer, type Server } from 'node:http';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '@kubegrade/db';
import { buildServer } from '../src/server.ts';
import { loadConfig } from '../src/config.ts';
import { seed } from '../src/seed.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'test-key';
let idp: Server;
let issuer: string;
let db: TestDatabase;
let app: FastifyInstance;
/** What the next token response's ID token says. */
let nextClaims: { sub: string; email: string; nonce: string } = { sub: '', email: '', nonce: '' };

function jwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'RS256', typ: 'JWT', kid })}.${enc(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

beforeAll(async () => {
  idp = createServer((req, res) => {
    const json = (o: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(o));
    };
    if (req.url === '/.well-known/openid-configuration') {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.url === '/jwks')
      return json({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    if (req.url === '/token' && req.method === 'POST') {
      const now = Math.floor(Date.now() / 1000);
      return json({
        access_token: randomUUID(),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: jwt({
          iss: issuer,
          aud: 'kubegrade',
          iat: now,
          exp: now + 300,
          email_verified: true,
          ...nextClaims,
        }),
      });
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  db = await createTestDatabase();
  await seed(db.prisma, {
    courseSlug: 'k8s',
    instructor: { email: 'teacher@example.edu', password: 'correct horse battery' },
    students: [{ email: 'ann@example.edu', name: 'Ann', namespace: 'ann' }],
  });
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: 'kubegrade',
      OIDC_CLIENT_SECRET: 'client-secret',
      OIDC_ALLOW_HTTP: 'true',
    },
    { databaseUrl: db.url },
  );
  app = await buildServer(config, { logger: false });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  await new Promise((r) => idp?.close(r));
});

async function signInAs(email: string, sub: string, tamperState = false) {
  const start = await app.inject({ method: 'GET', url: '/auth/oidc/login' });
  const cookie = String(start.headers['set-cookie']).split(';')[0]!;
  const authorize = new URL(String(start.headers.location));
  nextClaims = { sub, email, nonce: authorize.searchParams.get('nonce') ?? '' };
  const state = tamperState ? 'forged-state' : authorize.searchParams.get('state');
  const callback = await app.inject({
    method: 'GET',
    url: `/auth/oidc/callback?code=the-code&state=${state}`,
    headers: { cookie },
  });
  const after = String(callback.headers['set-cookie'] ?? '').split(';')[0] || cookie;
  const me = await app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: after } });
  return { start, authorize, callback, me: (me.json() as { user: { email: string } | null }).user };
}

describe('OIDC sign-in', () => {
  it('providers reports OIDC', async () => {
    expect((await app.inject({ method: 'GET', url: '/auth/providers' })).json()).toEqual({
      password: true,
      oidc: true,
    });
  });

  it('login redirects to the identity provider with PKCE, state and nonce', async () => {
    const { start, authorize } = await signInAs('ann@example.edu', 'sub-ann');
    expect({
      status: start.statusCode,
      endpoint: `${authorize.origin}${authorize.pathname}`,
      method: authorize.searchParams.get('code_challenge_method'),
      hasState: !!authorize.searchParams.get('state'),
    }).toEqual({ status: 302, endpoint: `${issuer}/authorize`, method: 'S256', hasState: true });
  });

  it('a roster member is signed in and bound to the subject', async () => {
    const { callback, me } = await signInAs('ann@example.edu', 'sub-ann');
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: 'ann@example.edu' } });
    expect({ status: callback.statusCode, me: me?.email, bound: user.oidcSubject }).toEqual({
      status: 302,
      me: 'ann@example.edu',
      bound: 'sub-ann',
    });
  });

  it('another subject claiming the same email is refused', async () => {
    const { callback, me } = await signInAs('ann@example.edu', 'sub-impostor');
    expect({ status: callback.statusCode, me }).toEqual({ status: 403, me: null });
  });

  it('someone not on the roster is refused', async () => {
    const { callback, me } = await signInAs('stranger@example.org', 'sub-stranger');
    expect({ status: callback.statusCode, me }).toEqual({ status: 403, me: null });
  });

  it('a callback with a forged state is refused', async () => {
    const { callback, me } = await signInAs('ann@example.edu', 'sub-ann', true);
    expect({ status: callback.statusCode, me }).toEqual({ status: 401, me: null });
  });
});

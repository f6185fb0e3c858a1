// LTI 1.3 service access for the tool (api: Names and Role Provisioning; worker: Assignment and
// Grade Services): an access token from the platform's token endpoint, by the client_credentials
// grant with a client assertion (private_key_jwt, RS256) signed with the tool key that the api keeps
// sealed in LtiKey, as the IMS Security Framework asks.
import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { LtiPlatform, PrismaClient } from './generated/prisma/client.ts';
import { unseal } from './crypto.ts';

/** The newest tool key, unsealed, ready to sign. */
export async function ltiToolKey(db: PrismaClient, key: Buffer) {
  const row = await db.ltiKey.findFirst({ orderBy: { createdAt: 'desc' } });
  if (!row)
    throw new Error(
      'the tool has no LTI key yet (the api creates it when a platform first asks for /lti/jwks)',
    );
  const jwk = JSON.parse(unseal(key, row)) as JWK;
  return { kid: row.id, key: await importJWK(jwk, 'RS256') };
}

/** An access token from the platform's token endpoint (client_credentials + a signed client assertion). */
export async function ltiServiceToken(
  db: PrismaClient,
  key: Buffer,
  platform: LtiPlatform,
  scopes: string[],
  timeoutMs = 10_000,
): Promise<string> {
  const tk = await ltiToolKey(db, key);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: tk.kid, typ: 'JWT' })
    .setIssuer(platform.clientId)
    .setSubject(platform.clientId)
    .setAudience(platform.authTokenUrl)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomBytes(16).toString('base64url'))
    .sign(tk.key);
  const res = await fetch(platform.authTokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope: scopes.join(' '),
    }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json().catch(() => null)) as { access_token?: string; error?: string } | null;
  if (!res.ok || !body?.access_token)
    throw new Error(
      `the platform's token endpoint answered ${res.status}${body?.error ? ` (${body.error})` : ''}`,
    );
  return body.access_token;
}

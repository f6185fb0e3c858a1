// The api's client over real HTTP (fetch), as the bench and the scripts use it: it keeps the
// session cookie, sends the CSRF token, and says what the api refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClientError, httpClient } from '../src/client.ts';
import { PASSWORD, setup, type Harness } from './helpers.ts';

let h: Harness;
let url: string;
beforeAll(async () => {
  h = await setup();
  url = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await h?.close();
});

describe('httpClient', () => {
  it('signs in, keeps the session across requests and sends the CSRF token', async () => {
    const client = httpClient(url);
    await client.signIn('ann@example.edu', PASSWORD);
    const me = await client.graphql<{ me: { email: string } | null }>('{ me { email } }');
    const logout = await client.request('POST', '/auth/logout');
    // Signing out ends the session the CSRF token was bound to: a new one is fetched.
    const stale = await client.gql<{ me: unknown }>('{ me { email } }');
    await client.refreshCsrf();
    const after = await client.gql<{ me: unknown }>('{ me { email } }');
    expect({
      cookie: /^kg_session=/.test(client.cookie),
      me,
      logout: logout.status,
      stale: stale.data ?? null,
      after: after.data,
    }).toEqual({
      cookie: true,
      me: { me: { email: 'ann@example.edu' } },
      logout: 204,
      stale: null,
      after: { me: null },
    });
  });

  it('throws ApiClientError with the api answer when a sign-in or an operation is refused', async () => {
    const client = httpClient(url);
    const refused = await client.signIn('ann@example.edu', 'wrong password').catch((err: unknown) => err);
    const denied = await client
      .graphql('{ auditLog(first: 1) { nodes { id } } }')
      .catch((err: unknown) => err);
    expect([
      refused instanceof ApiClientError,
      (refused as Error).message,
      denied instanceof ApiClientError,
      (denied as Error).message,
    ]).toEqual([
      true,
      expect.stringMatching(/^sign-in as ann@example.edu was refused: HTTP 401 .*INVALID_CREDENTIALS/),
      true,
      expect.stringMatching(/^GraphQL failed: /),
    ]);
  });
});

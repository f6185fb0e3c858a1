// Subscription WebSockets: caps per socket, per user and on sockets per user; a session's sockets
// close when it signs out or expires; query limits apply to subscriptions too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { Agent, agents, setup, type Harness } from './helpers.ts';
import { wsClient } from './ws.ts';
import { SOCKET_LIMITS, CLOSE } from '../src/lib/live-sockets.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let baseUrl: string;
let runId: string;
let clients: Client[] = [];

beforeAll(async () => {
  h = await setup({ WS_SESSION_CHECK_SECONDS: '0.2' });
  as = await agents(h);
  const sub = await as.student.gql<{ submitRun: { run: { id: string } } }>(
    'mutation($l: ID!) { submitRun(labId: $l) { run { id } } }',
    { l: h.labId },
  );
  runId = sub.data!.submitRun.run.id;
  baseUrl = (await h.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  clients = [];
  // dispose() resolves before the server has seen the sockets close; a test opening sockets at once
  // after the socket-cap test must not meet that test's sockets.
  const users = await h.db.user.findMany({ select: { id: true } });
  for (let i = 0; i < 200 && users.some((u) => h.app.liveSockets.socketsOf(`user:${u.id}`) > 0); i++)
    await new Promise((r) => setTimeout(r, 10));
});
afterAll(async () => {
  await h?.close();
});

const PROGRESS = 'subscription($id: ID!) { runProgress(runId: $id) { runId } }';

function client(cookie: string): Client {
  const c = wsClient(`${baseUrl}/graphql`, cookie, h.config.publicUrl);
  clients.push(c);
  return c;
}

/** Subscribes and resolves with "ok" (first event) or the error code; the subscription stays open. */
function open(
  c: Client,
  query = PROGRESS,
  variables: Record<string, unknown> = { id: runId },
): Promise<{ outcome: string; stop: () => void }> {
  return new Promise((resolve) => {
    let settled = false;
    const stop = c.subscribe(
      { query, variables },
      {
        next: (v) => {
          if (settled) return;
          settled = true;
          resolve({ outcome: v.errors?.length ? String(v.errors[0]?.extensions?.code) : 'ok', stop });
        },
        error: (err) => {
          if (settled) return;
          settled = true;
          const code = Array.isArray(err)
            ? String((err[0] as { extensions?: { code?: string } })?.extensions?.code)
            : `closed:${(err as { code?: number }).code}`;
          resolve({ outcome: code, stop });
        },
        complete: () => undefined,
      },
    );
  });
}

async function openMany(c: Client, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await open(c)).outcome);
  return out;
}

const count = (xs: string[]) =>
  xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

describe('subscription caps', () => {
  it(`one socket holds at most ${SOCKET_LIMITS.subscriptionsPerSocket} subscriptions; stopping one frees its slot`, async () => {
    const c = client(as.student.cookie);
    const first = await open(c);
    const rest = await openMany(c, SOCKET_LIMITS.subscriptionsPerSocket);
    first.stop();
    const again = await open(c);
    expect({ first: first.outcome, rest: count(rest), again: again.outcome }).toEqual({
      first: 'ok',
      rest: { ok: SOCKET_LIMITS.subscriptionsPerSocket - 1, TOO_MANY_SUBSCRIPTIONS: 1 },
      again: 'ok',
    });
  });

  it(`one user holds at most ${SOCKET_LIMITS.subscriptionsPerUser} subscriptions across sockets`, async () => {
    const outcomes: string[] = [];
    for (let s = 0; s < 3; s++)
      outcomes.push(...(await openMany(client(as.student.cookie), SOCKET_LIMITS.subscriptionsPerSocket)));
    // Another user is not affected.
    const other = await open(client(as.instructor.cookie));
    expect({ student: count(outcomes), other: other.outcome }).toEqual({
      student: {
        ok: SOCKET_LIMITS.subscriptionsPerUser,
        TOO_MANY_SUBSCRIPTIONS: 3 * SOCKET_LIMITS.subscriptionsPerSocket - SOCKET_LIMITS.subscriptionsPerUser,
      },
      other: 'ok',
    });
  });

  it(`one user opens at most ${SOCKET_LIMITS.socketsPerUser} sockets; the next is refused with 429 before the upgrade`, async () => {
    const outcomes: string[] = [];
    for (let s = 0; s < SOCKET_LIMITS.socketsPerUser; s++)
      outcomes.push((await open(client(as.student.cookie))).outcome);
    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl}/graphql`, 'graphql-transport-ws', {
        headers: { cookie: as.student.cookie, origin: h.config.publicUrl },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        reject(new Error('the socket over the cap was accepted'));
      });
      ws.on('error', () => undefined);
    });
    expect({ open: count(outcomes), refused }).toEqual({
      open: { ok: SOCKET_LIMITS.socketsPerUser },
      refused: 429,
    });
  });

  it('a subscription over the query limits is refused', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: runId`).join(' ');
    const res = await open(
      client(as.student.cookie),
      `subscription($id: ID!) { runProgress(runId: $id) { ${aliases} } }`,
    );
    expect(res.outcome).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('sockets end with their session', () => {
  function closed(c: Client): Promise<number> {
    return new Promise((resolve) => c.on('closed', (e) => resolve((e as { code: number }).code)));
  }

  it("signing out closes the session's open subscriptions (and no other session's)", async () => {
    const leaving = new Agent(h.app);
    await leaving.login('ann@example.edu');
    const c = client(leaving.cookie);
    const staying = client(as.student.cookie);
    const sub = await open(c);
    const other = await open(staying);
    const wasClosed = closed(c);
    const out = await leaving.request('POST', '/auth/logout');
    const code = await wasClosed;
    const stillThere = await open(staying);
    expect({
      sub: sub.outcome,
      other: other.outcome,
      out: out.statusCode,
      code,
      stillThere: stillThere.outcome,
    }).toEqual({ sub: 'ok', other: 'ok', out: 204, code: CLOSE.signedOut, stillThere: 'ok' });
  });

  it("an expired session's sockets are closed", async () => {
    const a = new Agent(h.app);
    await a.login('ann@example.edu');
    const c = client(a.cookie);
    const sub = await open(c);
    const wasClosed = closed(c);
    const sid = decodeURIComponent(a.cookie.split('=')[1]!).split('.')[0]!;
    const { count: expired } = await h.db.session.updateMany({
      where: { id: sid },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect({ sub: sub.outcome, expired, code: await wasClosed }).toEqual({
      sub: 'ok',
      expired: 1,
      code: CLOSE.sessionExpired,
    });
  });
});

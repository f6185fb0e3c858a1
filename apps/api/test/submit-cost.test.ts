// What one submit costs the database, counted statement by statement (every statement app.db sends,
// BEGIN and COMMIT included), and the session rules that make it cheap: no session write per
// request, yet a role change, a logout or a removed account takes effect on the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADE_QUEUE } from '@kubegrade/db';
import { Agent, agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let statements: string[] = [];
// The bench's mutation (bench/submit-storm.ts) plus the cooldown the page shows.
const SUBMIT =
  'mutation($l: ID!) { submitRun(labId: $l) { joined run { id status } cooldown { tokensAvailable retryAfterSeconds } } }';

type SubmitData = {
  submitRun: { joined: boolean; run: { id: string; status: string }; cooldown: { tokensAvailable: number } };
};

beforeAll(async () => {
  h = await setup(
    { COOLDOWN_BURST: '3', COOLDOWN_RATE_PER_MINUTE: '1' },
    { onStatement: (sql) => statements.push(sql) },
  );
  as = await agents(h);
});
afterAll(async () => {
  await h?.close();
});

/** The statements app.db sent while `fn` ran. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  statements = [];
  const result = await fn();
  const sql = statements;
  statements = [];
  return { result, sql };
}

const writesSession = (sql: string[]) =>
  sql.filter((s) => /(INSERT INTO|UPDATE|DELETE FROM)\s+"(public"\.")?Session"/i.test(s));

describe('a submit', () => {
  it('a new run costs at most 3 statements, and everything it promises is in the database', async () => {
    const { result: res, sql } = await counted(() => as.student.gql<SubmitData>(SUBMIT, { l: h.labId }));
    expect(res.errors).toBeUndefined();
    const runId = res.data!.submitRun.run.id;
    expect({
      joined: res.data!.submitRun.joined,
      status: res.data!.submitRun.run.status,
      tokens: res.data!.submitRun.cooldown.tokensAvailable,
    }).toEqual({
      joined: false,
      status: 'QUEUED',
      tokens: 2,
    });
    expect(sql.length, sql.join('\n---\n')).toBeLessThanOrEqual(3);
    expect(writesSession(sql)).toEqual([]);
    // The run, its job, its audit entry and the taken token were all written.
    const run = await h.db.gradingRun.findUniqueOrThrow({ where: { id: runId } });
    const job = await h.db.$queryRawUnsafe<{ data: { runId: string } }[]>(
      `SELECT data FROM pgboss.job WHERE name = $1 AND id = $2::uuid`,
      GRADE_QUEUE,
      run.jobId,
    );
    const ann = await h.db.user.findUniqueOrThrow({ where: { email: 'ann@example.edu' } });
    expect({
      job: job[0]?.data,
      audit: await h.db.auditEntry.count({
        where: { action: 'run.submit', subject: `run:${runId}`, actorId: ann.id },
      }),
      bucket: (await h.db.cooldownBucket.findUniqueOrThrow({ where: { userId: ann.id } })).tokens,
      namespace: run.namespace,
    }).toEqual({ job: { runId }, audit: 1, bucket: 2, namespace: 'ann' });
  });

  it('joining the queued run costs fewer statements than a new run and no token', async () => {
    const { result: res, sql } = await counted(() => as.student.gql<SubmitData>(SUBMIT, { l: h.labId }));
    expect(res.data?.submitRun).toMatchObject({ joined: true, cooldown: { tokensAvailable: 2 } });
    expect(sql.length, sql.join('\n---\n')).toBeLessThanOrEqual(2);
    expect(
      await h.db.auditEntry.count({
        where: { action: 'run.join', subject: `run:${res.data!.submitRun.run.id}` },
      }),
    ).toBe(1);
    expect(await h.db.gradingRun.count({ where: { namespace: 'ann', labId: h.labId } })).toBe(1);
  });

  it('a refused submit (empty bucket) writes nothing: no run, no job, no audit entry', async () => {
    const bob = await h.db.user.findUniqueOrThrow({ where: { email: 'bob@example.edu' } });
    await h.db.cooldownBucket.upsert({
      where: { userId: bob.id },
      create: { userId: bob.id, tokens: 0.5, updatedAt: new Date() },
      update: { tokens: 0.5, updatedAt: new Date() },
    });
    const jobsBefore = await h.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`,
      GRADE_QUEUE,
    );
    const res = await as.otherStudent.gql<SubmitData>(SUBMIT, { l: h.labId });
    const jobsAfter = await h.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`,
      GRADE_QUEUE,
    );
    expect({
      code: res.errors?.[0]?.extensions?.code,
      runs: await h.db.gradingRun.count({ where: { namespace: 'bob' } }),
      jobs: jobsAfter[0]!.n - jobsBefore[0]!.n,
      audit: await h.db.auditEntry.count({
        where: { actorId: bob.id, action: { in: ['run.submit', 'run.join'] } },
      }),
    }).toEqual({ code: 'COOLDOWN', runs: 0, jobs: 0, audit: 0 });
  });
});

describe('sessions', () => {
  it('an ordinary signed-in request writes no session row and sets no cookie', async () => {
    const { result: res, sql } = await counted(() =>
      as.student.request('POST', '/graphql', { query: '{ me { id } }' }),
    );
    expect({
      status: res.statusCode,
      cookie: res.headers['set-cookie'] ?? null,
      writes: writesSession(sql),
    }).toEqual({ status: 200, cookie: null, writes: [] });
  });

  it('a role change takes effect on the next request of a signed-in session', async () => {
    const a = new Agent(h.app);
    await a.login('bob@example.edu');
    const me = () => a.gql<{ me: { role: string } | null }>('{ me { role } }');
    expect((await me()).data?.me?.role).toBe('STUDENT');
    await h.db.user.update({ where: { email: 'bob@example.edu' }, data: { role: 'INSTRUCTOR' } });
    expect((await me()).data?.me?.role).toBe('INSTRUCTOR');
    await h.db.user.update({ where: { email: 'bob@example.edu' }, data: { role: 'STUDENT' } });
    expect((await me()).data?.me?.role).toBe('STUDENT');
  });

  it('after logout the old cookie is anonymous, and ending a session in the database ends it at once', async () => {
    const a = new Agent(h.app);
    await a.login('ann@example.edu');
    const cookie = a.cookie;
    await a.request('POST', '/auth/logout');
    const after = await h.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
    expect((after.json() as { user: unknown }).user).toBeNull();

    const b = new Agent(h.app);
    await b.login('ann@example.edu');
    const ann = await h.db.user.findUniqueOrThrow({ where: { email: 'ann@example.edu' } });
    expect(((await b.request('GET', '/auth/me')).json() as { user: { id: string } | null }).user?.id).toBe(
      ann.id,
    );
    // An admin ending all of a user's sessions (the Session rows) signs them out everywhere.
    await h.db.session.deleteMany({ where: { userId: ann.id } });
    expect(((await b.request('GET', '/auth/me')).json() as { user: unknown }).user).toBeNull();
  });

  it('a session past half its lifetime is renewed once (new expiry, new cookie), then left alone', async () => {
    const a = new Agent(h.app);
    await a.login('bob@example.edu');
    const bob = await h.db.user.findUniqueOrThrow({ where: { email: 'bob@example.edu' } });
    const row = await h.db.session.findFirstOrThrow({
      where: { userId: bob.id },
      orderBy: { createdAt: 'desc' },
    });
    // Age it: two days left of seven.
    const soon = new Date(Date.now() + 2 * 24 * 3600_000);
    const data = row.data as { cookie: Record<string, unknown> };
    await h.db.session.update({
      where: { id: row.id },
      data: { expiresAt: soon, data: { ...data, cookie: { ...data.cookie, expires: soon.toISOString() } } },
    });
    const renewed = await a.request('GET', '/auth/me');
    const after = await h.db.session.findUniqueOrThrow({ where: { id: row.id } });
    expect({
      user: (renewed.json() as { user: { id: string } | null }).user?.id,
      cookie: /kg_session=/.test(String(renewed.headers['set-cookie'] ?? '')),
      daysLeft: Math.round((after.expiresAt.getTime() - Date.now()) / (24 * 3600_000)),
    }).toEqual({ user: bob.id, cookie: true, daysLeft: 7 });
    const { result: next, sql } = await counted(() => a.request('GET', '/auth/me'));
    expect({ cookie: next.headers['set-cookie'] ?? null, writes: writesSession(sql) }).toEqual({
      cookie: null,
      writes: [],
    });
  });
});

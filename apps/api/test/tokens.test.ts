// API tokens: shown once and stored hashed, Bearer on GraphQL and the exports without CSRF, a
// token acting as its creator narrowed to its scopes (403 and an audit row when a scope is
// missing), expired and revoked tokens refused, cookie-only routes ignoring the header, and
// `kubegrade remote` (the built CLI) regrading through a listening api with --wait.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginAttempt, finishRun } from '@kubegrade/db';
import { agents, setup, type Harness } from './helpers.ts';
import { hashToken } from '../src/lib/crypto.ts';
import { REFUSALS_AUDITED_PER_MINUTE } from '../src/lib/api-tokens.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
});
afterAll(async () => {
  await h?.close();
});

type Created = {
  createApiToken: { secret: string; apiToken: { id: string; scopes: string[]; active: boolean } };
};
async function createToken(scopes: string[], who: 'instructor' | 'admin' = 'instructor', expiresInDays = 30) {
  const res = await as[who].gql<Created>(
    'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret apiToken { id scopes active } } }',
    {
      i: { name: `t-${scopes.join('+')}`, scopes, expiresInDays },
    },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return { id: res.data.createApiToken.apiToken.id, secret: res.data.createApiToken.secret };
}

/** POST /graphql with only the bearer token: no cookie, no CSRF header. */
function bearerGql(secret: string, query: string, variables: Record<string, unknown> = {}) {
  return h.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    payload: { query, variables },
  });
}

const REGRADE =
  'mutation($l: ID!, $n: [String!]) { regrade(labId: $l, namespaces: $n, disruptive: false) { joined runs { id namespace status } } }';
const cancelActive = () =>
  h.db.gradingRun.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELLED' },
  });

describe('API tokens', () => {
  it('shows the token once and stores only its sha256', async () => {
    const t = await createToken(['scoreboard:read']);
    const row = await h.db.apiToken.findUniqueOrThrow({ where: { id: t.id } });
    const listed = await as.instructor.gql<{ apiTokens: Record<string, unknown>[] }>(
      '{ apiTokens { id name scopes ownerEmail active } }',
    );
    expect({
      prefix: t.secret.startsWith('kgt_'),
      stored: row.tokenHash,
      listedFields: Object.keys(listed.data!.apiTokens[0]!),
    }).toEqual({
      prefix: true,
      stored: hashToken(t.secret),
      listedFields: ['id', 'name', 'scopes', 'ownerEmail', 'active'],
    });
  });

  it('refuses unknown scopes, no scopes and lifetimes over a year; students cannot create tokens', async () => {
    const bad = await as.instructor.gql(
      'mutation { createApiToken(input: { name: "x", scopes: ["root"], expiresInDays: 5 }) { secret } }',
    );
    const none = await as.instructor.gql(
      'mutation { createApiToken(input: { name: "x", scopes: [], expiresInDays: 5 }) { secret } }',
    );
    const long = await as.instructor.gql(
      'mutation { createApiToken(input: { name: "x", scopes: ["runs:read"], expiresInDays: 400 }) { secret } }',
    );
    const student = await as.student.gql(
      'mutation { createApiToken(input: { name: "x", scopes: ["runs:read"], expiresInDays: 5 }) { secret } }',
    );
    expect([bad, none, long, student].map((r) => r.errors?.[0]?.extensions?.code)).toEqual([
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
      'FORBIDDEN',
    ]);
  });

  it('a regrade:write token regrades over GraphQL without a cookie or CSRF token, and the use is audited', async () => {
    await cancelActive();
    const t = await createToken(['regrade:write']);
    const res = await bearerGql(t.secret, REGRADE, { l: h.labId, n: ['ann'] });
    const body = res.json() as { data: { regrade: { runs: { namespace: string; status: string }[] } } };
    const uses = await h.db.auditEntry.count({ where: { action: 'token.use', subject: `token:${t.id}` } });
    const regradeAudit = await h.db.auditEntry.findFirstOrThrow({
      where: { action: 'run.regrade' },
      orderBy: { at: 'desc' },
    });
    expect({
      status: res.statusCode,
      runs: body.data.regrade.runs.map((r) => [r.namespace, r.status]),
      uses,
      by: regradeAudit.actor,
    }).toEqual({
      status: 200,
      runs: [['ann', 'QUEUED']],
      uses: 1,
      by: 'teacher@example.edu',
    });
  });

  it('a token without regrade:write gets 403 for regrade, and the refusal is audited', async () => {
    await cancelActive();
    const t = await createToken(['scoreboard:read', 'runs:read']);
    const res = await bearerGql(t.secret, REGRADE, { l: h.labId, n: ['ann'] });
    const body = res.json() as { errors: { message: string; extensions: { code: string } }[] };
    const refusal = await h.db.auditEntry.findFirstOrThrow({
      where: { action: 'token.refused', subject: `token:${t.id}` },
    });
    const runs = await h.db.gradingRun.count({ where: { status: 'QUEUED' } });
    expect({
      status: res.statusCode,
      code: body.errors[0]!.extensions.code,
      names: body.errors[0]!.message,
      refused: (refusal.after as { operation: string }).operation,
      runs,
    }).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      names: expect.stringContaining('regrade:write') as unknown as string,
      refused: 'Mutation.regrade',
      runs: 0,
    });
  });

  it('tokens cannot mint tokens or manage webhooks, whatever their scopes', async () => {
    const t = await createToken(['scoreboard:read', 'runs:read', 'regrade:write', 'roster:write'], 'admin');
    const mint = await bearerGql(
      t.secret,
      'mutation { createApiToken(input: { name: "y", scopes: ["runs:read"], expiresInDays: 5 }) { secret } }',
    );
    const hooks = await bearerGql(t.secret, '{ webhooks { id } }');
    expect([mint.statusCode, hooks.statusCode]).toEqual([403, 403]);
  });

  it('expired and revoked tokens are refused with 401 and audited', async () => {
    const expired = await createToken(['runs:read']);
    await h.db.apiToken.update({
      where: { id: expired.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const revoked = await createToken(['runs:read']);
    const rev = await as.instructor.gql<{ revokeApiToken: { active: boolean } }>(
      'mutation($id: ID!) { revokeApiToken(id: $id) { active } }',
      { id: revoked.id },
    );
    const a = await bearerGql(expired.secret, '{ runs { total } }');
    const b = await bearerGql(revoked.secret, '{ runs { total } }');
    const c = await bearerGql('kgt_not-a-token', '{ runs { total } }');
    const reasons = await h.db.auditEntry.findMany({
      where: { action: 'token.refused', subject: { in: [`token:${expired.id}`, `token:${revoked.id}`] } },
      orderBy: { at: 'asc' },
    });
    expect({
      revokedActive: rev.data?.revokeApiToken.active,
      statuses: [a.statusCode, b.statusCode, c.statusCode],
      messages: [a.json().error.message, b.json().error.message],
      reasons: reasons.map((r) => r.reason),
    }).toEqual({
      revokedActive: false,
      statuses: [401, 401, 401],
      messages: ['this token has expired', 'this token was revoked'],
      reasons: ['this token has expired', 'this token was revoked'],
    });
  });

  it('a client guessing tokens is refused every time but audited at most REFUSALS_AUDITED_PER_MINUTE times a minute', async () => {
    const guess = (i: number) =>
      h.app.inject({
        method: 'POST',
        url: '/graphql',
        remoteAddress: '203.0.113.7',
        headers: { authorization: `Bearer kgt_guess-${i}`, 'content-type': 'application/json' },
        payload: { query: '{ me { id } }' },
      });
    const statuses = [];
    for (let i = 0; i < REFUSALS_AUDITED_PER_MINUTE + 5; i++) statuses.push((await guess(i)).statusCode);
    const rows = await h.db.auditEntry.count({
      where: { action: 'token.refused', after: { path: ['ip'], equals: '203.0.113.7' } },
    });
    expect({ allRefused: statuses.every((s) => s === 401), rows }).toEqual({
      allRefused: true,
      rows: REFUSALS_AUDITED_PER_MINUTE,
    });
  });

  it("an instructor cannot revoke (or see) another instructor's token; an admin can", async () => {
    const t = await createToken(['runs:read'], 'admin');
    const byInstructor = await as.instructor.gql('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', {
      id: t.id,
    });
    const seen = await as.instructor.gql<{ apiTokens: { id: string }[] }>('{ apiTokens { id } }');
    const mine = await createToken(['runs:read']);
    const byAdmin = await as.admin.gql<{ revokeApiToken: { active: boolean } }>(
      'mutation($id: ID!) { revokeApiToken(id: $id) { active } }',
      { id: mine.id },
    );
    expect({
      byInstructor: byInstructor.errors?.[0]?.extensions?.code,
      seesAdmins: seen.data!.apiTokens.some((x) => x.id === t.id),
      byAdmin: byAdmin.data?.revokeApiToken.active,
    }).toEqual({ byInstructor: 'NOT_FOUND', seesAdmins: false, byAdmin: false });
  });

  it('the CSV export takes a scoreboard:read token; a token without it gets 403', async () => {
    const reader = await createToken(['scoreboard:read']);
    const other = await createToken(['runs:read']);
    const ok = await h.app.inject({
      method: 'GET',
      url: `/export/scoreboard/${h.labId}.csv`,
      headers: { authorization: `Bearer ${reader.secret}` },
    });
    const no = await h.app.inject({
      method: 'GET',
      url: `/export/scoreboard/${h.labId}.csv`,
      headers: { authorization: `Bearer ${other.secret}` },
    });
    expect({
      ok: ok.statusCode,
      header: ok.body.split('\n')[0]?.startsWith('email,name,student_id,namespace'),
      no: no.statusCode,
    }).toEqual({ ok: 200, header: true, no: 403 });
  });

  it('cookie-only routes ignore the bearer header: no sign-in, and CSRF still applies', async () => {
    const t = await createToken(['runs:read']);
    const me = await h.app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Bearer ${t.secret}` },
    });
    const logout = await h.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { authorization: `Bearer ${t.secret}` },
    });
    expect({ me: me.json(), logout: logout.statusCode }).toEqual({ me: { user: null }, logout: 403 });
  });

  it('a token of a user who is no longer staff stops working', async () => {
    const t = await createToken(['runs:read']);
    await h.db.user.update({ where: { email: 'teacher@example.edu' }, data: { role: 'STUDENT' } });
    try {
      const res = await bearerGql(t.secret, '{ runs { total } }');
      expect(res.statusCode).toBe(401);
    } finally {
      await h.db.user.update({ where: { email: 'teacher@example.edu' }, data: { role: 'INSTRUCTOR' } });
    }
  });
});

// The built CLI (packages/grader's bin, the esbuild bundle) against the api on a real port. The
// runs are finished by the worker's own write path (beginAttempt/finishRun), as the worker would.
const BIN = resolve(import.meta.dirname, '../../../packages/grader/bin/kubegrade.js');
function kubegrade(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const clean = { ...process.env, KUBEGRADE_TOKEN: '', KUBEGRADE_URL: '', ...env };
    execFile(process.execPath, [BIN, ...args], { env: clean, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('kubegrade remote against a listening api', () => {
  let url: string;
  let dir: string;
  beforeAll(async () => {
    const { buildCli } = await import('../../../packages/grader/build.ts');
    await buildCli();
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    dir = await mkdtemp(join(tmpdir(), 'kg-remote-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Once `n` runs of the lab are queued (the regrade writes them one by one), grades them as the worker would: ann passes, bob fails. */
  async function gradeQueued(n: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const queued = await h.db.gradingRun.findMany({ where: { status: 'QUEUED', labId: h.labId } });
      if (queued.length >= n) {
        for (const run of queued) {
          const a = await beginAttempt(
            h.db,
            run.id,
            `job-${run.id}`,
            [{ id: 'c1', position: 0, maxPoints: 10 }],
            { labVersion: '1', graderVersion: 'test', maxScore: 10 },
          );
          const pass = run.namespace === 'ann';
          const check = {
            id: 'c1',
            status: pass ? 'pass' : 'fail',
            points: pass ? 10 : 0,
            maxPoints: 10,
            message: '',
            hint: null,
            evidence: {},
            durationMs: 1,
          } as const;
          await finishRun(h.db, a!, {
            status: pass ? 'PASSED' : 'FAILED',
            score: pass ? 10 : 0,
            maxScore: 10,
            checks: [check],
          });
        }
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the CLI never queued a run');
  }

  it('regrade --wait with a regrade:write token follows the runs to their verdicts (exit 1: bob failed)', async () => {
    await cancelActive();
    const t = await createToken(['regrade:write']);
    const [r] = await Promise.all([
      kubegrade(
        [
          'remote',
          '--server',
          url,
          'regrade',
          '--lab',
          h.labId,
          '--namespaces',
          'ann,bob',
          '--wait',
          '--interval',
          '0.2',
          '--format',
          'json',
        ],
        { KUBEGRADE_TOKEN: t.secret },
      ),
      gradeQueued(2),
    ]);
    if (r.code !== 1) throw new Error(`cli: ${r.code} ${r.stderr} ${r.stdout}`);
    const out = JSON.parse(r.stdout) as { runs: { namespace: string; status: string; score: number }[] };
    expect({ code: r.code, runs: out.runs.map((x) => [x.namespace, x.status, x.score]).sort() }).toEqual({
      code: 1,
      runs: [
        ['ann', 'PASSED', 10],
        ['bob', 'FAILED', 0],
      ],
    });
  });

  it('a token without regrade:write is refused (403) and the CLI says so (exit 2)', async () => {
    await cancelActive();
    const t = await createToken(['scoreboard:read']);
    const r = await kubegrade(
      ['remote', '--server', url, 'regrade', '--lab', h.labId, '--namespaces', 'ann', '--wait'],
      { KUBEGRADE_TOKEN: t.secret },
    );
    const audited = await h.db.auditEntry.count({
      where: { action: 'token.refused', subject: `token:${t.id}` },
    });
    expect({ code: r.code, stderr: r.stderr.trim(), audited }).toEqual({
      code: 2,
      stderr: expect.stringMatching(
        /^kubegrade: 403 FORBIDDEN: regrade needs a token with scope regrade:write/,
      ) as unknown as string,
      audited: 1,
    });
  });

  it('scoreboard --format csv and json read the token and server from a config file', async () => {
    const t = await createToken(['scoreboard:read']);
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ server: url, token: t.secret }), { mode: 0o600 });
    const csv = await kubegrade(
      ['remote', '--config', config, 'scoreboard', '--lab', h.labId, '--format', 'csv'],
      {},
    );
    const json = await kubegrade(
      ['remote', '--config', config, 'scoreboard', '--lab', h.labId, '--format', 'json'],
      {},
    );
    if (json.code !== 0) throw new Error(json.stderr);
    const board = JSON.parse(json.stdout) as { total: number; rows: { namespace: string }[] };
    expect({
      codes: [csv.code, json.code],
      csvNamespaces: csv.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[3]),
      jsonNamespaces: board.rows.map((x) => x.namespace),
      total: board.total,
    }).toEqual({ codes: [0, 0], csvNamespaces: ['ann', 'bob'], jsonNamespaces: ['ann', 'bob'], total: 2 });
  });

  it('an expired token: the CLI reports 401 and exits 2', async () => {
    const t = await createToken(['scoreboard:read']);
    await h.db.apiToken.update({ where: { id: t.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const r = await kubegrade(['remote', '--server', url, 'scoreboard', '--lab', h.labId], {
      KUBEGRADE_TOKEN: t.secret,
    });
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({
      code: 2,
      stderr: 'kubegrade: 401 UNAUTHENTICATED: this token has expired',
    });
  });
});

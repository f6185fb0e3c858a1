// Accounts: sessions, CSRF, sign-in and its audit, the login rate limit, roster import with
// set-password links, configuration checks and the lab sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLabs } from '@kubegrade/grader';
import { Agent, agents, PASSWORD, setup, type Harness } from './helpers.ts';
import { buildServer } from '../src/server.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { syncLabs } from '../src/lib/labs.ts';
import { seed } from '../src/seed.ts';

let h: Harness;
beforeAll(async () => {
  h = await setup();
});
afterAll(async () => {
  await h?.close();
});

describe('sessions and CSRF', () => {
  it('a state-changing request without a CSRF token is refused with code CSRF', async () => {
    const a = new Agent(h.app);
    await a.login('ann@example.edu');
    const res = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ me { id } }' },
      headers: { cookie: a.cookie },
    });
    expect({ status: res.statusCode, code: (res.json() as { error: { code: string } }).error.code }).toEqual({
      status: 403,
      code: 'CSRF',
    });
  });

  it('a CSRF token from another session is refused', async () => {
    const a = new Agent(h.app);
    const b = new Agent(h.app);
    await a.login('ann@example.edu');
    await b.refreshCsrf();
    const res = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ me { id } }' },
      headers: { cookie: a.cookie, 'x-csrf-token': b.csrf },
    });
    expect(res.statusCode).toBe(403);
  });

  it('sign-in sets an httpOnly SameSite=Lax session cookie (not Secure on http)', async () => {
    const a = new Agent(h.app);
    await a.refreshCsrf();
    const res = await h.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'ANN@example.edu', password: PASSWORD },
      headers: { cookie: a.cookie, 'x-csrf-token': a.csrf },
    });
    const cookie = String(res.headers['set-cookie']);
    expect({
      status: res.statusCode,
      httpOnly: /HttpOnly/i.test(cookie),
      lax: /SameSite=Lax/i.test(cookie),
      secure: /Secure/i.test(cookie),
      name: cookie.startsWith('kg_session='),
    }).toEqual({
      status: 200,
      httpOnly: true,
      lax: true,
      secure: false,
      name: true,
    });
  });

  it('sign-in starts a new session id (no fixation)', async () => {
    const a = new Agent(h.app);
    await a.refreshCsrf();
    const before = a.cookie;
    await a.login('ann@example.edu');
    expect({ hadOne: before !== '', changed: a.cookie !== before }).toEqual({ hadOne: true, changed: true });
  });

  it('sessions live in PostgreSQL', async () => {
    const a = new Agent(h.app);
    await a.login('bob@example.edu');
    const bob = await h.db.user.findUniqueOrThrow({ where: { email: 'bob@example.edu' } });
    expect(await h.db.session.count({ where: { userId: bob.id } })).toBeGreaterThan(0);
  });

  it('logout ends the session', async () => {
    const a = new Agent(h.app);
    await a.login('ann@example.edu');
    const out = await a.request('POST', '/auth/logout');
    const me = await new Agent(h.app).gql('{ me { id } }');
    const again = await h.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: a.cookie } });
    expect({
      out: out.statusCode,
      me: me.data?.me ?? null,
      again: (again.json() as { user: unknown }).user,
    }).toEqual({ out: 204, me: null, again: null });
  });

  it('a wrong password answers 401 INVALID_CREDENTIALS and is audited without the password', async () => {
    const a = new Agent(h.app);
    const res = await a.login('ann@example.edu', 'hunter2-wrong');
    const rows = await h.db.auditEntry.findMany({ where: { action: 'auth.login.failed' } });
    expect({
      status: res.statusCode,
      code: (res.json() as { error: { code: string } }).error.code,
      audited: rows.some((r) => r.actor === 'ann@example.edu'),
      leaked: JSON.stringify(rows).includes('hunter2'),
    }).toEqual({ status: 401, code: 'INVALID_CREDENTIALS', audited: true, leaked: false });
  });

  it('successful sign-ins are audited', async () => {
    expect(
      await h.db.auditEntry.count({ where: { action: 'auth.login', actor: 'ann@example.edu' } }),
    ).toBeGreaterThan(0);
  });

  it('passwords are stored as argon2id hashes', async () => {
    const u = await h.db.user.findUniqueOrThrow({ where: { email: 'ann@example.edu' } });
    expect(u.passwordHash?.startsWith('$argon2id$')).toBe(true);
  });

  it('sign-in is rate-limited', async () => {
    const strict = await buildServer(
      loadConfig({ NODE_ENV: 'test', LOGIN_RATE_LIMIT_PER_MINUTE: '3' }, { databaseUrl: h.testDb.url }),
      { logger: false },
    );
    try {
      const a = new Agent(strict);
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await a.login('ann@example.edu', 'wrong password')).statusCode);
      // Another account from the same address (every browser behind the web proxy) is unaffected.
      codes.push((await a.login('bob@example.edu')).statusCode);
      expect(codes).toEqual([401, 401, 401, 429, 200]);
    } finally {
      await strict.close();
    }
  });

  const strictServer = (env: Record<string, string>) =>
    buildServer(loadConfig({ NODE_ENV: 'test', ...env }, { databaseUrl: h.testDb.url }), { logger: false });

  it('the sign-in limit counts every spelling of one email as one account', async () => {
    const strict = await strictServer({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const a = new Agent(strict);
      const codes: number[] = [];
      for (const email of [' ann@example.edu', '  ann@example.edu', 'ann@example.edu\t'])
        codes.push((await a.login(email, 'wrong password')).statusCode);
      // The right password under a fourth spelling is still over the limit.
      codes.push((await a.login('ANN@ｅxample.edu ')).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await strict.close();
    }
  });

  it('a padded email with the right password signs in to the account', async () => {
    const res = await new Agent(h.app).login('  Ann@Example.edu\t');
    expect({ status: res.statusCode, email: (res.json() as { user: { email: string } }).user.email }).toEqual(
      { status: 200, email: 'ann@example.edu' },
    );
  });

  it('one client trying many accounts (password spraying) is limited across accounts', async () => {
    const strict = await strictServer({
      LOGIN_RATE_LIMIT_PER_MINUTE: '100',
      LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE: '3',
    });
    try {
      const a = new Agent(strict);
      const codes: number[] = [];
      for (const email of ['ann@example.edu', 'bob@example.edu', 'teacher@example.edu', 'admin@example.edu'])
        codes.push((await a.login(email, 'Winter2026!')).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await strict.close();
    }
  });

  it('successful sign-ins give their attempts back: a class behind one address all signs in, guessing stays limited', async () => {
    const strict = await strictServer({
      LOGIN_RATE_LIMIT_PER_MINUTE: '2',
      LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE: '2',
    });
    try {
      const a = new Agent(strict);
      const codes: number[] = [];
      // Seven sign-ins from one address, three of one account: over both limits, all allowed.
      for (const email of ['ann@example.edu', 'bob@example.edu', 'ann@example.edu', 'teacher@example.edu'])
        codes.push((await a.login(email)).statusCode);
      for (const email of ['admin@example.edu', 'ann@example.edu', 'bob@example.edu'])
        codes.push((await a.login(email)).statusCode);
      // Wrong passwords still use the budget up; the refusal says when to come back.
      codes.push((await a.login('ann@example.edu', 'wrong password')).statusCode);
      codes.push((await a.login('ann@example.edu', 'wrong password')).statusCode);
      const refused = await a.login('ann@example.edu');
      expect({
        codes,
        refused: refused.statusCode,
        retryAfter: Number(refused.headers['retry-after']),
      }).toEqual({
        codes: [200, 200, 200, 200, 200, 200, 200, 401, 401],
        refused: 429,
        retryAfter: expect.any(Number),
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((refused.json() as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    } finally {
      await strict.close();
    }
  });

  it('a parallel burst of guesses is limited as it arrives, not after the passwords are checked', async () => {
    const strict = await strictServer({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const a = new Agent(strict);
      await a.refreshCsrf();
      const codes = await Promise.all(
        Array.from(
          { length: 6 },
          async () => (await a.login('ann@example.edu', 'wrong password')).statusCode,
        ),
      );
      expect(codes.sort()).toEqual([401, 401, 401, 429, 429, 429]);
    } finally {
      await strict.close();
    }
  });

  it('behind a trusted proxy, a new client-written X-Forwarded-For entry does not give a new bucket', async () => {
    for (const trust of ['true', '1', '127.0.0.1']) {
      const strict = await strictServer({ LOGIN_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: trust });
      try {
        const csrf = await strict.inject({ method: 'GET', url: '/auth/csrf' });
        const cookie = String(csrf.headers['set-cookie']).split(';')[0]!;
        const token = (csrf.json() as { token: string }).token;
        const codes: number[] = [];
        for (let i = 0; i < 3; i++) {
          // The client wrote the first entry; the proxy (the inject peer, 127.0.0.1) appended the real one.
          const res = await strict.inject({
            method: 'POST',
            url: '/auth/login',
            payload: { email: 'ann@example.edu', password: 'wrong password' },
            headers: { cookie, 'x-csrf-token': token, 'x-forwarded-for': `10.9.8.${i}, 198.51.100.7` },
          });
          codes.push(res.statusCode);
        }
        expect({ trust, codes }).toEqual({ trust, codes: [401, 401, 429] });
      } finally {
        await strict.close();
      }
    }
  });

  it('TRUST_PROXY refuses values that are neither a boolean, a hop count nor addresses', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' }, { databaseUrl: 'postgres://x' })).toThrow(
      ConfigError,
    );
  });

  it('providers says which sign-in methods exist', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/auth/providers' })).json()).toEqual({
      password: true,
      oidc: false,
    });
  });
});

describe('roster import', () => {
  const IMPORT = `mutation($csv: String!, $dry: Boolean!) { importRoster(csv: $csv, dryRun: $dry, courseSlug: "k8s-storage") {
    dryRun created updated unchanged changes { line action email namespace setPasswordUrl } errors { line message } } }`;
  type R = {
    importRoster: {
      dryRun: boolean;
      created: number;
      updated: number;
      unchanged: number;
      changes: {
        line: number;
        action: string;
        email: string;
        namespace: string;
        setPasswordUrl: string | null;
      }[];
      errors: { line: number; message: string }[];
    };
  };
  const csv = [
    'email,name,student_id,namespace',
    'ann@example.edu,Ann Li,s1,ann', // unchanged
    'bob@example.edu,Bob Wu (renamed),s2,bob', // updated
    'new1@example.edu,New One,n1,new-one', // created
    'not-an-email,Bad Email,n2,bad-email', // error: email
    'new2@example.edu,Bad Namespace,n3,Bad_NS', // error: namespace
    'new3@example.edu,Dup Namespace,n4,new-one', // error: duplicate namespace in the file
    'new4@example.edu,Taken Namespace,n5,cy-ns', // error: another student's namespace
    'new1@example.edu,Dup Email,n6,other-ns', // error: duplicate email in the file
  ].join('\n');
  let as: Awaited<ReturnType<typeof agents>>;
  beforeAll(async () => {
    as = await agents(h);
    await seed(h.db, {
      courseSlug: 'k8s-storage',
      instructor: { email: 'teacher@example.edu', password: PASSWORD },
      students: [{ email: 'cy@example.edu', name: 'Cy', namespace: 'cy-ns' }],
    });
  });

  it('a dry run previews created/updated/unchanged and changes nothing', async () => {
    const res = await as.instructor.gql<R>(IMPORT, { csv, dry: true });
    const r = res.data!.importRoster;
    expect({
      counts: [r.created, r.updated, r.unchanged],
      actions: r.changes.map((c) => `${c.line}:${c.action}`),
      links: r.changes.filter((c) => c.setPasswordUrl).length,
      created: await h.db.user.count({ where: { email: 'new1@example.edu' } }),
    }).toEqual({ counts: [1, 1, 1], actions: ['2:unchanged', '3:update', '4:create'], links: 0, created: 0 });
  });

  it('reports each bad line by number with a readable reason', async () => {
    const r = (await as.instructor.gql<R>(IMPORT, { csv, dry: true })).data!.importRoster;
    expect(
      r.errors.map((e) => [
        e.line,
        e.message.match(
          /not an email|not a valid namespace|already appears on line 4|already belongs to cy@example.edu/,
        )?.[0],
      ]),
    ).toEqual([
      [5, 'not an email'],
      [6, 'not a valid namespace'],
      [7, 'already appears on line 4'],
      [8, 'already belongs to cy@example.edu'],
      [9, 'already appears on line 4'],
    ]);
  });

  let link = '';
  it('applying creates the student, the enrollment and a one-time set-password link', async () => {
    const r = (await as.instructor.gql<R>(IMPORT, { csv, dry: false })).data!.importRoster;
    const created = r.changes.find((c) => c.action === 'create')!;
    link = created.setPasswordUrl ?? '';
    const user = await h.db.user.findUniqueOrThrow({
      where: { email: 'new1@example.edu' },
      include: { enrollments: true },
    });
    const bob = await h.db.user.findUniqueOrThrow({ where: { email: 'bob@example.edu' } });
    const token = new URL(link).searchParams.get('token') ?? '';
    expect({
      link: link.startsWith(`${h.config.publicUrl}/set-password?token=`),
      ns: user.enrollments.map((e) => e.namespace),
      role: user.role,
      bobName: bob.name,
      tokenStoredInClear: user.passwordSetTokenHash === token,
      expiresInDays: Math.round((user.passwordSetTokenExpiresAt!.getTime() - Date.now()) / 86400000),
    }).toEqual({
      link: true,
      ns: ['new-one'],
      role: 'STUDENT',
      bobName: 'Bob Wu (renamed)',
      tokenStoredInClear: false,
      expiresInDays: 7,
    });
  });

  it('roster changes are audited', async () => {
    const actions = (await h.db.auditEntry.findMany({ where: { action: { startsWith: 'roster.' } } }))
      .map((a) => a.action)
      .sort();
    expect(actions).toEqual(['roster.create', 'roster.import', 'roster.update']);
  });

  it('the set-password link refuses a weak password', async () => {
    const a = new Agent(h.app);
    const res = await a.request('POST', '/auth/set-password', {
      token: new URL(link).searchParams.get('token'),
      password: 'short',
    });
    expect(res.statusCode).toBe(400);
  });

  it('the set-password link signs the student in once, then is spent', async () => {
    const token = new URL(link).searchParams.get('token');
    const a = new Agent(h.app);
    const first = await a.request('POST', '/auth/set-password', { token, password: 'a long new password' });
    const me = await a.gql<{ me: { email: string } }>('{ me { email } }');
    const second = await new Agent(h.app).request('POST', '/auth/set-password', {
      token,
      password: 'another long password',
    });
    const login = await new Agent(h.app).login('new1@example.edu', 'a long new password');
    expect([first.statusCode, me.data?.me.email, second.statusCode, login.statusCode]).toEqual([
      200,
      'new1@example.edu',
      400,
      200,
    ]);
  });

  it('an expired link is refused', async () => {
    const r = (
      await as.instructor.gql<R>(IMPORT, {
        csv: 'email,name,student_id,namespace\nlate@example.edu,Late,l1,late-ns\n',
        dry: false,
      })
    ).data!.importRoster;
    await h.db.user.update({
      where: { email: 'late@example.edu' },
      data: { passwordSetTokenExpiresAt: new Date(Date.now() - 1000) },
    });
    const res = await new Agent(h.app).request('POST', '/auth/set-password', {
      token: new URL(r.changes[0]!.setPasswordUrl!).searchParams.get('token'),
      password: 'a long new password',
    });
    expect(res.statusCode).toBe(400);
  });

  it('a file without the required header is refused on line 1', async () => {
    const r = (await as.instructor.gql<R>(IMPORT, { csv: 'mail,name\nx@example.edu,X\n', dry: true })).data!
      .importRoster;
    expect(r.errors.map((e) => e.line)).toEqual([1]);
  });

  describe('at class sizes', () => {
    const lines = (n: number, prefix: string) =>
      [
        'email,name,student_id,namespace',
        ...Array.from(
          { length: n },
          (_, k) => `${prefix}${k}@big.example.edu,Student ${k},${prefix}-id-${k},${prefix}-${k}`,
        ),
      ].join('\n');

    it('a real import of 10,000 students is applied in full, with links and audit rows', async () => {
      const res = await as.admin.gql<R>(IMPORT, { csv: lines(10_000, 'big'), dry: false });
      const r = res.data?.importRoster;
      expect({
        errors: res.errors,
        created: r?.created,
        links: r?.changes.filter((c) => c.setPasswordUrl).length,
        users: await h.db.user.count({ where: { email: { endsWith: '@big.example.edu' } } }),
        enrolled: await h.db.enrollment.count({ where: { namespace: { startsWith: 'big-' } } }),
        audited: await h.db.auditEntry.count({
          where: {
            action: 'roster.create',
            after: { path: ['email'], string_ends_with: '@big.example.edu' },
          },
        }),
      }).toEqual({
        errors: undefined,
        created: 10_000,
        links: 10_000,
        users: 10_000,
        enrolled: 10_000,
        audited: 10_000,
      });
    });

    it('re-importing the same 10,000 changes nothing; renaming them updates all', async () => {
      const same = (await as.admin.gql<R>(IMPORT, { csv: lines(10_000, 'big'), dry: true })).data!
        .importRoster;
      const renamed = (
        await as.admin.gql<R>(IMPORT, {
          csv: lines(10_000, 'big').replace(/,Student /g, ',Pupil '),
          dry: false,
        })
      ).data!.importRoster;
      expect({
        same: [same.created, same.updated, same.unchanged],
        renamed: [renamed.created, renamed.updated, renamed.unchanged],
        names: await h.db.user.count({
          where: { email: { endsWith: '@big.example.edu' }, name: { startsWith: 'Pupil ' } },
        }),
      }).toEqual({ same: [0, 0, 10_000], renamed: [0, 10_000, 0], names: 10_000 });
    });

    it(`a file over the limit (50,000 lines) is refused with the limit, not INTERNAL`, async () => {
      const csv50k = [
        'email,name,student_id,namespace',
        ...Array.from({ length: 50_000 }, (_, k) => `h${k}@x.io,H,,h${k}`),
      ].join('\n');
      const res = await as.admin.gql<R>(IMPORT, { csv: csv50k, dry: true });
      expect({
        code: res.errors?.[0]?.extensions?.code,
        says: /at most 10000/.test(res.errors?.[0]?.message ?? ''),
      }).toEqual({ code: 'BAD_USER_INPUT', says: true });
    });

    it('an import that fails part-way writes nothing and is audited', async () => {
      // A database refusal on the last row (a trigger, standing in for any failure mid-import).
      await h.db.$executeRawUnsafe(
        `CREATE OR REPLACE FUNCTION kg_test_boom() RETURNS trigger AS $$ BEGIN IF NEW.email = 'half2999@big.example.edu' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await h.db.$executeRawUnsafe(
        'CREATE TRIGGER kg_test_boom BEFORE INSERT ON "User" FOR EACH ROW EXECUTE FUNCTION kg_test_boom()',
      );
      try {
        const res = await as.admin.gql<R>(IMPORT, { csv: lines(3000, 'half'), dry: false });
        expect({
          code: res.errors?.[0]?.extensions?.code,
          users: await h.db.user.count({ where: { email: { startsWith: 'half' } } }),
          enrolled: await h.db.enrollment.count({ where: { namespace: { startsWith: 'half-' } } }),
          audited: await h.db.auditEntry.count({ where: { action: 'roster.import.failed' } }),
        }).toEqual({ code: 'INTERNAL', users: 0, enrolled: 0, audited: 1 });
      } finally {
        await h.db.$executeRawUnsafe('DROP TRIGGER kg_test_boom ON "User"');
      }
    });
  });
});

describe('configuration', () => {
  it('production refuses to start without SESSION_SECRET', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', WEBHOOK_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }),
    ).toThrow(ConfigError);
  });
  it('a webhook key of the wrong size is refused with how to make one', () => {
    expect(() => loadConfig({ WEBHOOK_ENCRYPTION_KEY: 'dG9vc2hvcnQ=' })).toThrow(/openssl rand -base64 32/);
  });
  it('the session cookie is Secure when PUBLIC_URL is https (behind a TLS-terminating proxy)', async () => {
    const env = { NODE_ENV: 'test', PUBLIC_URL: 'https://grade.example.edu', TRUST_PROXY: 'true' };
    const app = await buildServer(loadConfig(env, { databaseUrl: h.testDb.url }), { logger: false });
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/auth/csrf',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(/Secure/.test(String(res.headers['set-cookie']))).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('lab sync', () => {
  it("updates definitions and versions but keeps the instructor's flags", async () => {
    await h.db.lab.update({
      where: { id: 'pv-claimref' },
      data: { enabled: false, disruptiveEnabled: false, version: '0' },
    });
    await syncLabs(h.db, listLabs());
    const lab = await h.db.lab.findUniqueOrThrow({ where: { id: 'pv-claimref' } });
    expect({ enabled: lab.enabled, disruptive: lab.disruptiveEnabled, version: lab.version }).toEqual({
      enabled: false,
      disruptive: false,
      version: listLabs().find((l) => l.id === 'pv-claimref')!.version,
    });
  });

  it("keeps an instructor's edit of the points until the lab file's version changes", async () => {
    const file = listLabs().find((l) => l.id === 'pv-claimref')!;
    const edited = {
      ...file,
      version: `${file.version}+edit1`,
      checks: file.checks.map((c, i) => (i === 0 ? { ...c, points: c.points + 5 } : c)),
    };
    await h.db.lab.update({
      where: { id: 'pv-claimref' },
      data: { version: edited.version, definition: edited as unknown as object },
    });
    await syncLabs(h.db, listLabs());
    const kept = await h.db.lab.findUniqueOrThrow({ where: { id: 'pv-claimref' } });
    expect(kept.version).toBe(edited.version);
    expect((kept.definition as { checks: { points: number }[] }).checks[0]!.points).toBe(
      file.checks[0]!.points + 5,
    );
    // A new version of the file replaces the edit.
    await syncLabs(h.db, [{ ...file, version: `${file.version}.1` }]);
    const replaced = await h.db.lab.findUniqueOrThrow({ where: { id: 'pv-claimref' } });
    expect(replaced.version).toBe(`${file.version}.1`);
    expect((replaced.definition as { checks: { points: number }[] }).checks[0]!.points).toBe(
      file.checks[0]!.points,
    );
  });
});

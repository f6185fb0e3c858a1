// The embedded default database: several clients (a pg pool, Prisma, pg-boss, LISTEN/NOTIFY) share
// one PGlite through startEmbeddedPostgres, as api, worker and the queue do in `npm run demo`.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/client.ts';
import {
  EmbeddedDatabaseBusyError,
  lockFileFor,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../src/embedded.ts';
import { migrate, readMigrations } from '../src/migrate.ts';
import { openDatabase } from '../src/open.ts';
import { findDrift } from './drift-check.ts';

let embedded: EmbeddedPostgres;
beforeAll(async () => {
  embedded = await startEmbeddedPostgres({ dataDir: 'memory://' });
});
afterAll(async () => {
  await embedded?.stop();
});

async function connected(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: embedded.url });
  await c.connect();
  return c;
}

describe('startEmbeddedPostgres', () => {
  it('applies the migrations once when two processes migrate at the same time', async () => {
    const results = await Promise.all([migrate(embedded.url), migrate(embedded.url)]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, readMigrations().length]);
  });

  it('migrates to exactly what schema.prisma describes (the drift check, on PGlite)', async () => {
    const client = await connected();
    try {
      expect(await findDrift(client)).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('keeps concurrent transactions from a pool of 5 apart', async () => {
    const pool = new pg.Pool({ connectionString: embedded.url, max: 5 });
    try {
      await pool.query('CREATE TABLE tx_test (id int PRIMARY KEY, who int NOT NULL)');
      const seen = await Promise.all(
        [0, 1, 2, 3, 4].map(async (who) => {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            await c.query('INSERT INTO tx_test VALUES ($1, $2)', [who, who]);
            await new Promise((r) => setTimeout(r, 10));
            await c.query('INSERT INTO tx_test VALUES ($1, $2)', [who + 10, who]);
            const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_test');
            await c.query(who === 2 ? 'ROLLBACK' : 'COMMIT');
            return rows[0]!.n;
          } finally {
            c.release();
          }
        }),
      );
      // Each transaction ran alone: it saw its own two rows plus those committed before it.
      expect(seen.every((n) => n % 2 === 0)).toBe(true);
      const { rows } = await pool.query<{ who: number }>('SELECT DISTINCT who FROM tx_test ORDER BY who');
      expect(rows.map((r) => r.who)).toEqual([0, 1, 3, 4]);
    } finally {
      await pool.end();
    }
  });

  it('answers every connection its own result when parameters span many TCP chunks', async () => {
    const pool = new pg.Pool({ connectionString: embedded.url, max: 5 });
    try {
      const big = 'x'.repeat(512 * 1024);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2
            ? pool.query<{ v: number }>('SELECT $1::int AS v', [i])
            : pool.query<{ v: number }>('SELECT $1::int + length($2::text) - $3::int AS v', [
                i,
                big,
                big.length,
              ]),
        ),
      );
      expect(results.map((r) => r.rows[0]!.v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await pool.end();
    }
  });

  it('delivers NOTIFY to the connections that ran LISTEN, and only to them', async () => {
    const [listener, other, notifier, quitter] = await Promise.all([
      connected(),
      connected(),
      connected(),
      connected(),
    ]);
    try {
      const got: Record<string, string[]> = { listener: [], other: [], notifier: [], quitter: [] };
      listener.on('notification', (n) => got.listener!.push(`${n.channel}:${n.payload}`));
      other.on('notification', (n) => got.other!.push(`${n.channel}:${n.payload}`));
      notifier.on('notification', (n) => got.notifier!.push(`${n.channel}:${n.payload}`));
      quitter.on('notification', (n) => got.quitter!.push(`${n.channel}:${n.payload}`));
      await listener.query('LISTEN run_events');
      await quitter.query('LISTEN run_events');
      await other.query('LISTEN "Other"');
      await quitter.query('UNLISTEN run_events');
      await notifier.query('BEGIN');
      await notifier.query(`SELECT pg_notify('run_events', 'run-1')`);
      await notifier.query('COMMIT');
      await notifier.query(`NOTIFY "Other", 'x'`);
      await expect.poll(() => got.listener, { timeout: 30_000 }).toEqual(['run_events:run-1']);
      await expect.poll(() => got.other, { timeout: 30_000 }).toEqual(['Other:x']);
      expect(got.notifier).toEqual([]);
      expect(got.quitter).toEqual([]);
    } finally {
      await Promise.all([listener, other, notifier, quitter].map((c) => c.end()));
    }
  });

  it('runs pg-boss with a sender and a worker on separate connections', async () => {
    const sender = new PgBoss({ connectionString: embedded.url, max: 2 });
    const worker = new PgBoss({ connectionString: embedded.url, max: 2 });
    try {
      await sender.start();
      await worker.start();
      await sender.createQueue('grade');
      const done: unknown[] = [];
      await worker.work<{ namespace: string }>('grade', { pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) done.push(job.data.namespace);
      });
      await sender.send('grade', { namespace: 'ns-a' });
      await sender.send('grade', { namespace: 'ns-b' });
      await expect.poll(() => [...done].sort(), { timeout: 20_000, interval: 200 }).toEqual(['ns-a', 'ns-b']);
    } finally {
      await worker.stop({ graceful: false, wait: true });
      await sender.stop({ graceful: false, wait: true });
    }
  });

  it('asks for its generated password: none, or a wrong one, is refused', async () => {
    const u = new URL(embedded.url);
    const attempt = async (password: string | undefined) => {
      const c = new pg.Client({
        host: u.hostname,
        port: Number(u.port),
        user: 'postgres',
        database: 'postgres',
        ...(password === undefined ? {} : { password }),
      });
      try {
        await c.connect();
        return (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one;
      } catch (err) {
        return (err as { code?: string }).code ?? (err as Error).message;
      } finally {
        await c.end().catch(() => {});
      }
    };
    expect({
      generated: decodeURIComponent(u.password).length >= 24,
      none: await attempt(''),
      wrong: await attempt('postgres'),
      right: await attempt(decodeURIComponent(u.password)),
    }).toEqual({ generated: true, none: '28P01', wrong: '28P01', right: 1 });
  });

  it('serves the Prisma client, including interactive transactions', async () => {
    const prisma = createPrisma(embedded.url, { max: 2 });
    try {
      const user = await prisma.$transaction(async (tx) => {
        const u = await tx.user.create({ data: { email: 'embedded@example.edu', name: 'Embedded' } });
        await tx.auditEntry.create({ data: { action: 'user.create', subject: `user:${u.id}` } });
        return u;
      });
      expect(await prisma.user.findUnique({ where: { email: 'embedded@example.edu' } })).toMatchObject({
        id: user.id,
        role: 'STUDENT',
      });
    } finally {
      await prisma.$disconnect();
    }
  });
});

describe('openDatabase', () => {
  it('uses DATABASE_URL when it is set', async () => {
    const db = await openDatabase({ env: { DATABASE_URL: 'postgres://u@db.example:5432/k' } });
    expect(db).toMatchObject({
      url: 'postgres://u@db.example:5432/k',
      source: 'DATABASE_URL',
      embedded: null,
    });
  });

  // Starting PGlite on disk is slow (initdb), so these steps share one data directory.
  const dataDir = join(mkdtempSync(join(tmpdir(), 'kubegrade-pglite-')), 'pglite');

  it('starts the embedded server once and shares it with the next caller', async () => {
    const [a, b] = await Promise.all([
      openDatabase({ env: {}, dataDir }),
      openDatabase({ env: {}, dataDir }),
    ]);
    try {
      expect([a.source, b.source].sort()).toEqual(['embedded-shared', 'embedded-started']);
      expect(a.url).toBe(b.url);
      const owner = a.embedded ? a : b;
      const guest = a.embedded ? b : a;
      expect(JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8'))).toEqual({
        pid: process.pid,
        url: owner.url,
      });
      // The URL carries the password: the lock file and the data are the owner's alone.
      expect({
        lock: statSync(lockFileFor(dataDir)).mode & 0o777,
        data: statSync(dataDir).mode & 0o777,
      }).toEqual({ lock: 0o600, data: 0o700 });
      // Opening the directory a second time directly is refused, with where to connect instead.
      const second = await startEmbeddedPostgres({ dataDir }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(EmbeddedDatabaseBusyError);
      expect(second).toMatchObject({ pid: process.pid, url: owner.url });
      await migrate(guest.url);
      const prisma = createPrisma(guest.url, { max: 1 });
      await prisma.course.create({ data: { slug: 'kept', name: 'Kept across restarts' } });
      await prisma.$disconnect();
    } finally {
      await a.close();
      await b.close();
    }
    expect(existsSync(lockFileFor(dataDir))).toBe(false);
  });

  it('keeps the data across a restart, replacing a lock file left by a process that died', async () => {
    writeFileSync(
      lockFileFor(dataDir),
      JSON.stringify({ pid: 2 ** 22 + 17, url: 'postgres://postgres@127.0.0.1:1/postgres' }),
    );
    const db = await openDatabase({ env: {}, dataDir });
    try {
      expect(db.source).toBe('embedded-started');
      expect((await migrate(db.url)).applied).toEqual([]);
      const prisma = createPrisma(db.url, { max: 1 });
      expect(await prisma.course.findUnique({ where: { slug: 'kept' } })).toMatchObject({
        name: 'Kept across restarts',
      });
      await prisma.$disconnect();
    } finally {
      await db.close();
    }
  });
});

// The migration runner: order, one transaction per file, checksums, concurrent callers.
import { cpSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultMigrationsDir,
  migrate,
  MigrationError,
  MIGRATIONS_TABLE,
  readMigrations,
} from '../src/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubegrade-migrations-'));
  for (const [name, sql] of Object.entries(files)) addMigration(dir, name, sql);
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'migration.sql'), sql);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

const dbs: TestDatabase[] = [];
async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false });
  dbs.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.drop()));
});

describe('migrate', () => {
  it('applies files in timestamp order once and records their checksums', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({
      '20260102000000_second': 'ALTER TABLE a ADD COLUMN b int;',
      '20260101000000_first': 'CREATE TABLE a (id int primary key);',
    });
    const first = await migrate(db.url, { migrationsDir: dir });
    expect(first.applied).toEqual(['20260101000000_first', '20260102000000_second']);
    const again = await migrate(db.url, { migrationsDir: dir });
    expect(again.applied).toEqual([]);
    const rows = await query<{ name: string; checksum: string }>(
      db.url,
      `SELECT name, checksum FROM "${MIGRATIONS_TABLE}" ORDER BY name`,
    );
    expect(rows.map((r) => r.name)).toEqual(['20260101000000_first', '20260102000000_second']);
    expect(rows[0]!.checksum).toBe(readMigrations(dir)[0]!.checksum);
  });

  it('applies a migration added later, including one older than the last applied', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({ '20260101000000_first': 'CREATE TABLE a (id int);' });
    await migrate(db.url, { migrationsDir: dir });
    addMigration(dir, '20260103000000_third', 'CREATE TABLE c (id int);');
    expect((await migrate(db.url, { migrationsDir: dir })).applied).toEqual(['20260103000000_third']);
    addMigration(dir, '20260102000000_merged_late', 'CREATE TABLE b (id int);');
    const lines: string[] = [];
    const result = await migrate(db.url, { migrationsDir: dir, log: (l) => lines.push(l) });
    expect(result.applied).toEqual(['20260102000000_merged_late']);
    expect(lines.join('\n')).toContain('20260102000000_merged_late is older than the last applied migration');
  });

  it('rolls back a failing file entirely and names the file and line', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({
      '20260101000000_ok': 'CREATE TABLE a (id int);',
      '20260102000000_broken': 'CREATE TABLE half (id int);\nINSERT INTO nowhere VALUES (1);\n',
    });
    const err = await migrate(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('SQL_FAILED');
    expect((err as MigrationError).message).toContain(join('20260102000000_broken', 'migration.sql'));
    expect((err as MigrationError).message).toContain('relation "nowhere" does not exist (line 2)');
    const tables = await query<{ t: string }>(
      db.url,
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    expect(tables.map((r) => r.t)).toEqual([MIGRATIONS_TABLE, 'a']);
  });

  it('refuses to run when an applied file was edited, naming it', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({ '20260101000000_first': 'CREATE TABLE a (id int);' });
    await migrate(db.url, { migrationsDir: dir });
    writeFileSync(join(dir, '20260101000000_first', 'migration.sql'), 'CREATE TABLE a (id bigint);');
    addMigration(dir, '20260102000000_second', 'CREATE TABLE b (id int);');
    const err = await migrate(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('CHECKSUM_MISMATCH');
    expect((err as MigrationError).message).toContain(join('20260101000000_first', 'migration.sql'));
    expect((err as MigrationError).message).toContain('was edited after it was applied');
    const tables = await query<{ t: string }>(
      db.url,
      `SELECT tablename AS t FROM pg_tables WHERE tablename = 'b'`,
    );
    expect(tables).toEqual([]);
  });

  it('refuses to run when an applied migration was renamed or removed, naming it', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({ '20260101000000_first': 'CREATE TABLE a (id int);' });
    await migrate(db.url, { migrationsDir: dir });
    renameSync(join(dir, '20260101000000_first'), join(dir, '20260101000000_renamed'));
    const err = await migrate(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('MISSING_FILE');
    expect((err as MigrationError).message).toContain(
      'migration 20260101000000_first is recorded as applied',
    );
  });

  it('treats CRLF line endings as the same file', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({
      '20260101000000_first': 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n',
    });
    await migrate(db.url, { migrationsDir: dir });
    writeFileSync(
      join(dir, '20260101000000_first', 'migration.sql'),
      'CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n',
    );
    await expect(migrate(db.url, { migrationsDir: dir })).resolves.toMatchObject({ applied: [] });
  });

  it('rejects a directory not named <timestamp>_<name>', () => {
    const dir = migrationsDir({ add_things: 'SELECT 1;' });
    expect(() => readMigrations(dir)).toThrow(/must be named <14-digit UTC timestamp>_<name>/);
  });

  it('lets several processes migrate the same database at once, each file applied once', async () => {
    const db = await emptyDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'kubegrade-migrations-'));
    cpSync(defaultMigrationsDir, dir, { recursive: true });
    const results = await Promise.all([
      migrate(db.url, { migrationsDir: dir }),
      migrate(db.url, { migrationsDir: dir }),
      migrate(db.url, { migrationsDir: dir }),
    ]);
    const appliedCounts = results.map((r) => r.applied.length).sort();
    expect(appliedCounts).toEqual([0, 0, readMigrations(dir).length]);
  });

  it('names the database, without its password, when it cannot connect', async () => {
    await expect(migrate('postgres://kubegrade:s3cret@127.0.0.1:1/kubegrade')).rejects.toThrow(
      /^cannot connect to postgres:\/\/kubegrade:\*\*\*@127\.0\.0\.1:1\/kubegrade to migrate it: .*ECONNREFUSED/,
    );
  });

  it('accepts a pg Pool', async () => {
    const db = await emptyDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const result = await migrate(pool);
      expect(result.applied).toEqual(readMigrations().map((m) => m.name));
    } finally {
      await pool.end();
    }
  });
});

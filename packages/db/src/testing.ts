// Throwaway databases for tests: every test file gets its own migrated database on the real
// PostgreSQL server at PG_TEST_URL, so tests never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPrisma } from './client.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { migrate } from './migrate.ts';
import { redact } from './url.ts';

export { redact };

/** The admin URL tests create databases through (PG_TEST_URL, default the local trust-auth server). */
export function pgTestUrl(): string {
  return process.env.PG_TEST_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
}

/** A migrated, empty database that exists until `drop()`. */
export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  /** Disconnects `prisma`, ends every other connection to the database and drops it. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Skip migrating (for tests of the migration runner itself). */
  migrate?: boolean;
}

/** Creates `kubegrade_test_<random>` on PG_TEST_URL's server and applies every migration to it. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = pgTestUrl();
  const name = `kubegrade_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrl(adminUrl, name);
  try {
    if (options.migrate !== false) await migrate(url);
  } catch (err) {
    await dropDatabase(adminUrl, name);
    throw err;
  }
  const prisma = createPrisma(url, { max: 4 });
  let dropped: Promise<void> | null = null;
  return {
    name,
    url,
    prisma,
    drop() {
      dropped ??= (async () => {
        await prisma.$disconnect();
        await dropDatabase(adminUrl, name);
      })();
      return dropped;
    },
  };
}

/** `url` with its database name replaced by `name`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  // WITH (FORCE) terminates the connections a test left open (PostgreSQL 13+).
  await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `cannot reach the test PostgreSQL server at ${redact(adminUrl)} (set PG_TEST_URL, or run .ci/run which starts it): ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

// The SQL migration runner. Prisma's `migrate deploy` needs a native engine that cannot be
// downloaded here, so this applies prisma/migrations/<timestamp>_<name>/migration.sql itself:
// in name order, each file in its own transaction, under an advisory lock, recording each
// applied file's sha256 in "_kubegrade_migrations" so an edited file is caught.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { redact } from './url.ts';

/** prisma/migrations in this repository. */
export const defaultMigrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

/** The table recording applied migrations. */
export const MIGRATIONS_TABLE = '_kubegrade_migrations';

// Any fixed 64-bit number; shared by every process that migrates this database.
const LOCK_KEY = 4_242_071_725n;

/** A migration file found on disk. */
export interface MigrationFile {
  /** The directory name, e.g. "20261125233000_init". */
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  /** Where the `<timestamp>_<name>/migration.sql` directories are; default prisma/migrations. */
  migrationsDir?: string;
  /** Progress lines ("applied 2026..._init"); default silent. */
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Files applied by this call, in order. */
  applied: string[];
  /** Files that were already applied. */
  alreadyApplied: string[];
}

/** Why migrating failed; `file` names the migration to look at. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: 'CHECKSUM_MISMATCH' | 'MISSING_FILE' | 'SQL_FAILED' | 'BAD_LAYOUT',
    readonly file: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A pg connection-like target: a URL, a pool, or a connected client. */
export type MigrateTarget = string | pg.Pool | pg.ClientBase;

/** sha256 of a migration's text, ignoring CRLF vs LF so a Windows checkout does not look edited. */
export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads every `<dir>/<name>/migration.sql`, sorted by name (the timestamp prefix orders them). */
export function readMigrations(dir: string = defaultMigrationsDir): MigrationFile[] {
  if (!existsSync(dir)) {
    throw new MigrationError('BAD_LAYOUT', null, `migrations directory ${dir} does not exist`);
  }
  const files: MigrationFile[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (!statSync(full).isDirectory()) continue;
    const path = join(full, 'migration.sql');
    if (!/^\d{14}_[A-Za-z0-9_]+$/.test(entry)) {
      throw new MigrationError(
        'BAD_LAYOUT',
        full,
        `migration directory "${entry}" must be named <14-digit UTC timestamp>_<name>, e.g. 20261126010000_add_foo`,
      );
    }
    if (!existsSync(path)) {
      throw new MigrationError('BAD_LAYOUT', full, `migration directory ${full} has no migration.sql`);
    }
    const sql = readFileSync(path, 'utf8');
    files.push({ name: entry, path, sql, checksum: checksum(sql) });
  }
  return files;
}

/**
 * Applies every pending migration to the database at `target` (a URL, pool or client).
 * Safe to call from several processes at once: they queue on an advisory lock.
 */
export async function migrate(target: MigrateTarget, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = readMigrations(options.migrationsDir);
  const log = options.log ?? (() => {});
  let client: pg.ClientBase;
  let release: () => Promise<void>;
  if (typeof target === 'string') {
    const c = new pg.Client({ connectionString: target });
    try {
      await c.connect();
    } catch (err) {
      throw new Error(`cannot connect to ${redact(target)} to migrate it: ${(err as Error).message}`, {
        cause: err,
      });
    }
    client = c;
    release = () => c.end();
  } else if (target instanceof pg.Pool) {
    const c = await target.connect();
    client = c;
    release = async () => c.release();
  } else {
    client = target;
    release = async () => {};
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY.toString()]);
    try {
      return await applyPending(client, files, log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY.toString()]);
    }
  } finally {
    await release();
  }
}

async function applyPending(
  client: pg.ClientBase,
  files: MigrationFile[],
  log: (line: string) => void,
): Promise<MigrateResult> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
       name TEXT PRIMARY KEY,
       checksum TEXT NOT NULL,
       applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
     )`,
  );
  const { rows } = await client.query<{ name: string; checksum: string }>(
    `SELECT name, checksum FROM "${MIGRATIONS_TABLE}" ORDER BY name`,
  );
  const onDisk = new Map(files.map((f) => [f.name, f]));
  for (const row of rows) {
    const file = onDisk.get(row.name);
    if (!file) {
      throw new MigrationError(
        'MISSING_FILE',
        row.name,
        `migration ${row.name} is recorded as applied in this database but prisma/migrations/${row.name}/migration.sql is gone; restore it (applied migrations are never deleted, add a new one instead)`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        'CHECKSUM_MISMATCH',
        file.path,
        `${file.path} was edited after it was applied to this database (checksum ${row.checksum.slice(0, 12)}… recorded, ${file.checksum.slice(0, 12)}… on disk); revert the edit and put the change in a new migration with a later timestamp`,
      );
    }
  }
  const appliedNames = new Set(rows.map((r) => r.name));
  const lastApplied = rows.at(-1)?.name;
  const result: MigrateResult = { applied: [], alreadyApplied: [...appliedNames] };
  for (const file of files) {
    if (appliedNames.has(file.name)) continue;
    if (lastApplied && file.name < lastApplied) {
      // Two branches can each add a migration; apply the late-merged older one rather than refuse.
      log(`note: ${file.name} is older than the last applied migration ${lastApplied}; applying it now`);
    }
    try {
      await client.query('BEGIN');
      // The advisory lock already serializes real PostgreSQL; this re-check covers the embedded
      // server, where every connection shares one session and so one (re-entrant) lock.
      const again = await client.query(`SELECT 1 FROM "${MIGRATIONS_TABLE}" WHERE name = $1`, [file.name]);
      if (again.rowCount) {
        await client.query('COMMIT');
        result.alreadyApplied.push(file.name);
        continue;
      }
      await client.query(file.sql);
      await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" (name, checksum) VALUES ($1, $2)`, [
        file.name,
        file.checksum,
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw new MigrationError(
        'SQL_FAILED',
        file.path,
        `${file.path} failed and was rolled back: ${describePgError(err, file.sql)}`,
        { cause: err },
      );
    }
    result.applied.push(file.name);
    log(`applied ${file.name}`);
  }
  return result;
}

function describePgError(err: unknown, sql: string): string {
  if (!(err instanceof Error)) return String(err);
  const position = Number((err as { position?: string }).position);
  if (Number.isFinite(position) && position > 0) {
    const line = sql.slice(0, position).split('\n').length;
    return `${err.message} (line ${line})`;
  }
  return err.message;
}

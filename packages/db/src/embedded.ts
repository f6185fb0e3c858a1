// The embedded default database: PGlite (PostgreSQL compiled to WASM) kept in a data directory and
// served over the Postgres wire protocol, so api, worker and the queue connect with an ordinary
// postgres:// URL exactly as they would to a server. See README.md for what the multiplexing
// server does and does not support (one backend session is shared by every connection).
//
// Two PGlite instances on one data directory corrupt it, so a running server records itself in
// <dataDir>.server.json ({ pid, url }) and a second start on that directory fails with
// EmbeddedDatabaseBusyError, which carries the URL to connect to instead (openDatabase does so).
//
// The server asks for a password, generated at each start (32 random characters) and part of its
// URL; the lock file holding that URL, and the data directory, are readable by their owner only,
// so another local user can neither sign in as the superuser nor read the files.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { startMultiplexer, type Multiplexer } from './multiplexer.ts';

/** The repository root (packages/db/src/../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the embedded database lives when DATABASE_URL is unset: <repo>/.data/pglite. */
export const defaultEmbeddedDataDir = resolve(repoRoot, '.data/pglite');

/** The installed PGlite's version (its package.json is not exported, so walk up from its entry). */
function installedPgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (dir !== dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

const pgliteVersion = installedPgliteVersion();

/**
 * A freshly initialized cluster saved after the first initdb and loaded by later starts: initdb
 * is most of PGlite's start-up time (seconds, tens of seconds on a loaded machine).
 */
export const templatePath = join(
  repoRoot,
  'node_modules/.cache/kubegrade-db',
  `pglite-${pgliteVersion}-initdb.tar`,
);

async function createPGlite(dataDir: string): Promise<PGlite> {
  const inMemory = dataDir.startsWith('memory://');
  const fresh = inMemory || !existsSync(join(dataDir, 'PG_VERSION'));
  if (!fresh) return PGlite.create(dataDir);
  if (existsSync(templatePath)) {
    try {
      return await PGlite.create(dataDir, { loadDataDir: new Blob([readFileSync(templatePath)]) });
    } catch {
      // A damaged or incompatible template: start over with initdb (and save a new one below).
      rmSync(templatePath, { force: true });
      if (!inMemory)
        for (const entry of readdirSync(dataDir))
          rmSync(join(dataDir, entry), { recursive: true, force: true });
    }
  }
  const db = await PGlite.create(dataDir);
  try {
    const dump = await db.dumpDataDir('none');
    mkdirSync(dirname(templatePath), { recursive: true });
    // Written aside and renamed, so a concurrent start never loads half a file.
    const partial = `${templatePath}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, templatePath);
  } catch {
    // Only an optimization.
  }
  return db;
}

export interface EmbeddedPostgresOptions {
  /** A directory for the database files (created if missing), or "memory://" for a throwaway one. */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** Most simultaneous client connections (default 100). */
  maxConnections?: number;
  /** The superuser password; default: generated at each start. */
  password?: string;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** postgres://postgres:<generated password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  dataDir: string;
  /**
   * The in-process database. Queries on it bypass the server's turn-taking, so they could land in
   * a client's open transaction: use it only while no client is connected.
   */
  db: PGlite;
  /** Closes every client connection, then the database (flushing it to dataDir), and frees the directory. */
  stop(): Promise<void>;
}

/** Another live process (or this one) already serves this data directory. */
export class EmbeddedDatabaseBusyError extends Error {
  override readonly name = 'EmbeddedDatabaseBusyError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    /** Where that server listens; null while it is still starting. */
    readonly url: string | null,
  ) {
    super(
      `the embedded database in ${dataDir} is already open in process ${pid}${url ? ` and served at ${url}` : ' (starting)'}; connect to it (openDatabase() does) instead of opening it twice, or stop that process`,
    );
  }
}

/** The file that records which process serves `dataDir`, and where. */
export function lockFileFor(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.server.json`;
}

interface LockFile {
  pid: number;
  url: string | null;
}

/** The lock's content, or null when there is none (or it is being written). */
export function readLockFile(dataDir: string): LockFile | null {
  try {
    return JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8')) as LockFile;
  } catch {
    return null;
  }
}

/** Whether a process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acquire(dataDir: string): void {
  const lock = lockFileFor(dataDir);
  mkdirSync(dirname(lock), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, JSON.stringify({ pid: process.pid, url: null } satisfies LockFile), {
        flag: 'wx',
        mode: 0o600,
      });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = readLockFile(dataDir);
      if (held && !isAlive(held.pid) && attempt < 3) {
        rmSync(lock, { force: true }); // left by a process that died
        continue;
      }
      throw new EmbeddedDatabaseBusyError(dataDir, held?.pid ?? -1, held?.url ?? null);
    }
  }
}

/** Starts PGlite on `dataDir` and serves it on 127.0.0.1:`port` over the Postgres protocol. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ?? defaultEmbeddedDataDir;
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) {
    acquire(dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  const release = () => {
    if (onDisk) rmSync(lockFileFor(dataDir), { force: true });
  };
  let db: PGlite;
  try {
    db = await createPGlite(dataDir);
  } catch (err) {
    release();
    throw err;
  }
  const host = options.host ?? '127.0.0.1';
  const password = options.password ?? randomBytes(24).toString('base64url');
  // Clients reach PGlite through the multiplexer (see multiplexer.ts: whole batches and
  // transactions at a time, LISTEN/NOTIFY routing), which forwards to pglite-socket on a private port.
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? 100,
  });
  let proxy: Multiplexer;
  try {
    await server.start();
    const inner = server.getServerConn();
    proxy = await startMultiplexer({
      host,
      port: options.port ?? 0,
      upstreamPort: Number(inner.slice(inner.lastIndexOf(':') + 1)),
      password,
    });
  } catch (err) {
    await server.stop().catch(() => {});
    await db.close();
    release();
    throw new Error(
      `could not serve the embedded database on ${host}:${options.port ?? 0}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const port = proxy.port;
  const url = `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/postgres`;
  if (onDisk)
    writeFileSync(lockFileFor(dataDir), JSON.stringify({ pid: process.pid, url } satisfies LockFile), {
      mode: 0o600,
    });
  let stopped: Promise<void> | null = null;
  return {
    url,
    port,
    dataDir,
    db,
    stop() {
      stopped ??= (async () => {
        try {
          await proxy.close();
          await server.stop();
          await db.close();
        } finally {
          release();
        }
      })();
      return stopped;
    },
  };
}

// The embedded default database: PGlite (PostgreSQL compiled to WASM) kept in a data directory and
// served over the Postgres wire protocol, so api, worker and the queue connect with an ordinary
// postgres:// URL exactly as they would to a server. See README.md for what the multiplexing
// server does and does not support (one backend session is shared by every connection).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** The repository root (packages/db/src/../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the embedded database lives when DATABASE_URL is unset: <repo>/.data/pglite. */
export const defaultEmbeddedDataDir = resolve(repoRoot, '.data/pglite');

export interface EmbeddedPostgresOptions {
  /** A directory for the database files (created if missing), or "memory://" for a throwaway one. */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** Most simultaneous client connections (default 100). */
  maxConnections?: number;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** The in-process database, for callers in the same process that want to skip the socket. */
  db: PGlite;
  /** Closes every client connection, then the database (flushing it to dataDir). */
  stop(): Promise<void>;
}

/** Starts PGlite on `dataDir` and serves it on 127.0.0.1:`port` over the Postgres protocol. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ?? defaultEmbeddedDataDir;
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const host = options.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw new Error(
      `could not serve the embedded database on ${host}:${options.port ?? 0}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  let stopped: Promise<void> | null = null;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    port,
    db,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopped;
    },
  };
}

// The embedded default database: PGlite (PostgreSQL compiled to WASM) kept in a data directory and
// served over the Postgres wire protocol, so api, worker and the queue connect with an ordinary
// postgres:// URL exactly as they would to a server. See README.md for what the multiplexing
// server does and does not support (one backend session is shared by every connection).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { startMultiplexer } from './multiplexer.ts';

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
  // Clients reach PGlite through the multiplexer (see multiplexer.ts: whole batches and
  // transactions at a time, LISTEN/NOTIFY routing), which forwards to pglite-socket on a private port.
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? 100,
  });
  let proxy: Awaited<ReturnType<typeof startMultiplexer>>;
  try {
    await server.start();
    const inner = server.getServerConn();
    proxy = await startMultiplexer({
      host,
      port: options.port ?? 0,
      upstreamPort: Number(inner.slice(inner.lastIndexOf(':') + 1)),
    });
  } catch (err) {
    await server.stop().catch(() => {});
    await db.close();
    throw new Error(
      `could not serve the embedded database on ${host}:${options.port ?? 0}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const port = proxy.port;
  let stopped: Promise<void> | null = null;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    port,
    db,
    stop() {
      stopped ??= (async () => {
        await proxy.close();
        await server.stop();
        await db.close();
      })();
      return stopped;
    },
  };
}

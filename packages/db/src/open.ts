// Which database a process uses: DATABASE_URL when set; otherwise the embedded PGlite server for
// the data directory, started by the first process that needs it and shared with the others
// (startEmbeddedPostgres records where it listens; two processes must never open one directory).
import { connect } from 'node:net';
import {
  defaultEmbeddedDataDir,
  EmbeddedDatabaseBusyError,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './embedded.ts';

/** The database a process should use, and how to let go of it. */
export interface OpenedDatabase {
  url: string;
  /** Where it came from: DATABASE_URL, an embedded server this process started, or another's. */
  source: 'DATABASE_URL' | 'embedded-started' | 'embedded-shared';
  /** The server, when this process started it. */
  embedded: EmbeddedPostgres | null;
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to EMBEDDED_DATA_DIR, else <repo>/.data/pglite. */
  dataDir?: string;
  /** How long to wait for another process that is starting the server (default 120 s). */
  waitMs?: number;
}

/** DATABASE_URL if set, else the shared embedded server for the data directory (started if needed). */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const env = options.env ?? process.env;
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, source: 'DATABASE_URL', embedded: null, close: async () => {} };
  }
  const dataDir = options.dataDir ?? env.EMBEDDED_DATA_DIR ?? defaultEmbeddedDataDir;
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  for (;;) {
    try {
      const embedded = await startEmbeddedPostgres({ dataDir });
      return { url: embedded.url, source: 'embedded-started', embedded, close: () => embedded.stop() };
    } catch (err) {
      if (!(err instanceof EmbeddedDatabaseBusyError)) throw err;
      if (err.url && (await accepts(err.url))) {
        return { url: err.url, source: 'embedded-shared', embedded: null, close: async () => {} };
      }
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: hostname, port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

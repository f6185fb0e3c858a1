// Which database a process uses: DATABASE_URL when set; otherwise the embedded PGlite server,
// started by the first process that needs it and shared with the others through a lock file
// (<dataDir>.server.json), because two processes must never open one PGlite data directory.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { defaultEmbeddedDataDir, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';

/** The database a process should use, and how to let go of it. */
export interface OpenedDatabase {
  url: string;
  /** Where it came from: DATABASE_URL, an embedded server this process started, or another process's. */
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

interface LockFile {
  pid: number;
  url: string | null;
}

/** The lock file that tells other processes where the embedded server for `dataDir` listens. */
export function lockFileFor(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.server.json`;
}

/** DATABASE_URL if set, else the shared embedded server for the data directory (started if needed). */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const env = options.env ?? process.env;
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, source: 'DATABASE_URL', embedded: null, close: async () => {} };
  }
  const dataDir = options.dataDir ?? env.EMBEDDED_DATA_DIR ?? defaultEmbeddedDataDir;
  const lock = lockFileFor(dataDir);
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  for (;;) {
    try {
      writeFileSync(lock, JSON.stringify({ pid: process.pid, url: null } satisfies LockFile), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = readLock(lock);
      if (held && !isAlive(held.pid)) {
        rmSync(lock, { force: true }); // left by a process that died
        continue;
      }
      if (held?.url && (await accepts(held.url))) {
        return { url: held.url, source: 'embedded-shared', embedded: null, close: async () => {} };
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the embedded database in ${dataDir} is held by process ${held?.pid ?? '?'} but not reachable; stop that process or remove ${lock}`,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    let embedded: EmbeddedPostgres;
    try {
      embedded = await startEmbeddedPostgres({ dataDir });
    } catch (err) {
      rmSync(lock, { force: true });
      throw err;
    }
    writeFileSync(lock, JSON.stringify({ pid: process.pid, url: embedded.url } satisfies LockFile));
    return {
      url: embedded.url,
      source: 'embedded-started',
      embedded,
      async close() {
        await embedded.stop();
        rmSync(lock, { force: true });
      },
    };
  }
}

function readLock(path: string): LockFile | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockFile;
  } catch {
    return null; // being written, or gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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

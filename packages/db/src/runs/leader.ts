// One holder at a time across processes: a session-level PostgreSQL advisory lock on a connection
// of its own (a pooled connection would hand the session, and the lock, to whoever borrows it
// next). The live lab runs its watches only in the worker that holds it; when that worker dies its
// connection closes, the lock is free, and the next worker's retry takes it over.
import pg from 'pg';

/** A named lock some process may hold. */
export interface LeaderLock {
  /** Whether this process holds it now. */
  readonly held: boolean;
  /** Takes it if it is free; true when this process holds it afterwards. Never throws. */
  tryAcquire(): Promise<boolean>;
  /** Gives it up (and closes the connection). */
  release(): Promise<void>;
}

/** Options of leaderLock. */
export interface LeaderLockOptions {
  /** The lock was lost (its connection failed): stop what it guarded. */
  onLost?: () => void;
  onError?: (err: Error) => void;
}

/** A lock named `name` on the database at `databaseUrl`. */
export function leaderLock(databaseUrl: string, name: string, opts: LeaderLockOptions = {}): LeaderLock {
  let client: pg.Client | null = null;
  let held = false;
  const drop = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    c.end().catch(() => {});
    if (held) {
      held = false;
      opts.onLost?.();
    }
  };
  return {
    get held() {
      return held;
    },
    async tryAcquire() {
      if (held) return true;
      try {
        if (!client) {
          const c = new pg.Client({ connectionString: databaseUrl });
          c.on('error', (err) => {
            opts.onError?.(err);
            drop(c);
          });
          c.on('end', () => drop(c));
          await c.connect();
          client = c;
        }
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
          name,
        ]);
        held = r.rows[0]?.ok === true;
      } catch (err) {
        opts.onError?.(err as Error);
        held = false;
      }
      return held;
    },
    async release() {
      const c = client;
      client = null;
      const was = held;
      held = false;
      if (!c) return;
      if (was) await c.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => {});
      await c.end().catch(() => {});
    },
  };
}

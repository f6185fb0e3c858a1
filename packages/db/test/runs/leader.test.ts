// The leader lock on real PostgreSQL: one holder at a time across connections; released (or its
// connection gone) it passes to the next that asks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, leaderLock, type TestDatabase } from '../../src/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db?.drop();
});

describe('leaderLock', () => {
  it('has one holder at a time and passes on when released', async () => {
    const a = leaderLock(db.url, 'kubegrade:test');
    const b = leaderLock(db.url, 'kubegrade:test');
    const other = leaderLock(db.url, 'kubegrade:other');
    try {
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
      expect(await other.tryAcquire()).toBe(true);
      await a.release();
      expect(await b.tryAcquire()).toBe(true);
      expect(b.held).toBe(true);
    } finally {
      await Promise.all([a.release(), b.release(), other.release()]);
    }
  });

  it('is lost when its connection dies, and another process takes it', async () => {
    let lost = 0;
    const a = leaderLock(db.url, 'kubegrade:die', { onLost: () => lost++ });
    const b = leaderLock(db.url, 'kubegrade:die');
    try {
      expect(await a.tryAcquire()).toBe(true);
      // The holder's backend is terminated (a crashed worker, a restarted database).
      await db.prisma.$executeRawUnsafe(`SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      await expect.poll(() => lost, { timeout: 30_000 }).toBe(1);
      expect(a.held).toBe(false);
      expect(await b.tryAcquire()).toBe(true);
    } finally {
      await Promise.all([a.release(), b.release()]);
    }
  });
});

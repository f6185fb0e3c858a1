// The LISTEN/NOTIFY pub/sub between "processes" (separate emitters, separate connections), on real
// PostgreSQL and on the embedded PGlite server.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPubSub,
  createTestDatabase,
  notifyRun,
  runTopic,
  scoreboardTopic,
  startEmbeddedPostgres,
  type PubSub,
  type PubSubMessage,
  type TestDatabase,
} from '../../src/index.ts';

/** Resolves with the next `n` messages on `topic`. */
function collect(ps: PubSub, topic: string, n: number): Promise<PubSubMessage[]> {
  return new Promise((resolve) => {
    const got: PubSubMessage[] = [];
    const fn = (m: PubSubMessage, done: () => void) => {
      got.push(m);
      done();
      if (got.length === n) {
        ps.removeListener(topic, fn);
        resolve(got);
      }
    };
    ps.on(topic, fn);
  });
}

describe('on PostgreSQL', () => {
  let t: TestDatabase;
  let api: PubSub;
  let worker: PubSub;
  beforeAll(async () => {
    t = await createTestDatabase();
    api = await createPubSub(t.url);
    worker = await createPubSub(t.url);
  });
  afterAll(async () => {
    await new Promise<void>((r) => api?.close(r));
    await new Promise<void>((r) => worker?.close(r));
    await t?.drop();
  });

  it('delivers a message from one process to every subscriber of the topic, in order, and only to them', async () => {
    const mine = collect(api, runTopic('r1'), 3);
    const alsoWorker = collect(worker, runTopic('r1'), 3);
    let other = 0;
    api.on(runTopic('r2'), (_m, done) => {
      other++;
      done();
    });
    for (const i of [1, 2, 3]) await worker.publish(runTopic('r1'), { runId: 'r1', n: i });
    expect((await mine).map((m) => m.payload)).toEqual([
      { runId: 'r1', n: 1 },
      { runId: 'r1', n: 2 },
      { runId: 'r1', n: 3 },
    ]);
    expect((await alsoWorker).map((m) => m.topic)).toEqual([runTopic('r1'), runTopic('r1'), runTopic('r1')]);
    expect(other).toBe(0);
  });

  it('works as mercurius uses it: emit with a callback, on with a ready callback, removeListener', async () => {
    await new Promise<void>((resolve, reject) =>
      api.on(
        't',
        () => {},
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    const received: unknown[] = [];
    const fn = (m: PubSubMessage, done: () => void) => {
      received.push(m.payload);
      done();
    };
    api.on('mq', fn);
    await new Promise<void>((resolve, reject) =>
      worker.emit({ topic: 'mq', payload: { a: 1 } }, (err) => (err ? reject(err) : resolve())),
    );
    await expect.poll(() => received).toEqual([{ a: 1 }]);
    api.removeListener('mq', fn);
    await worker.publish('mq', { a: 2 });
    await worker.publish('mq-sentinel', {});
    const sentinel = collect(api, 'mq-sentinel2', 1);
    await worker.publish('mq-sentinel2', {});
    await sentinel;
    expect(received).toEqual([{ a: 1 }]);
  });

  it('refuses a payload over the NOTIFY limit with an error saying what to do', async () => {
    await expect(worker.publish('big', { blob: 'x'.repeat(9000) })).rejects.toThrow(
      /8000-byte limit.*publish ids/,
    );
  });

  it('delivers a run event written in a transaction only after the transaction commits', async () => {
    const events = collect(api, scoreboardTopic('lab-x'), 1);
    let committed = false;
    await t.prisma.$transaction(async (tx) => {
      await notifyRun(tx, { event: 'finished', runId: 'r9', labId: 'lab-x', enrollmentId: 'e9' }, true);
      await new Promise((r) => setTimeout(r, 300));
      committed = true;
    });
    const [m] = await events;
    expect(committed).toBe(true);
    expect(m?.payload).toEqual({ event: 'finished', runId: 'r9', labId: 'lab-x', enrollmentId: 'e9' });
  });

  it('reconnects after its listening connection is killed, and keeps delivering', async () => {
    let reconnected = 0;
    api.onReconnect(() => reconnected++);
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    // Every LISTENing backend of this database except the worker's is the api's listener.
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`,
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(1);
    await expect.poll(() => reconnected, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    await api.ready();
    const got = collect(api, 'after', 1);
    await worker.publish('after', { ok: true });
    expect((await got)[0]?.payload).toEqual({ ok: true });
  });
});

describe('on the embedded PGlite server', () => {
  it('delivers between two emitters through the multiplexer', async () => {
    const embedded = await startEmbeddedPostgres({ dataDir: 'memory://' });
    const a = await createPubSub(embedded.url);
    const b = await createPubSub(embedded.url);
    try {
      const got = collect(a, runTopic('e1'), 2);
      await b.publish(runTopic('e1'), { n: 1 });
      await b.publish(runTopic('e1'), { n: 2 });
      expect((await got).map((m) => m.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await new Promise<void>((r) => a.close(r));
      await new Promise<void>((r) => b.close(r));
      await embedded.stop();
    }
    // Starting PGlite (WASM) takes most of this on a loaded machine.
  }, 180_000);
});

// Pub/sub across processes on PostgreSQL LISTEN/NOTIFY: one dedicated listening connection per
// process, every message on one channel as JSON {topic, payload}, dispatched locally by topic.
// It is an mqemitter (on/emit/removeListener/close), so mercurius takes it as `subscription.emitter`.
// Works on the embedded PGlite server too: packages/db's multiplexer routes NOTIFY to listeners.
import pg from 'pg';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { PayloadTooLargeError } from './errors.ts';
import { runTopic, scoreboardTopic, type RunEvent } from './topics.ts';

/** The one NOTIFY channel every topic travels on. */
export const PUBSUB_CHANNEL = 'kubegrade_events';

/** PostgreSQL's NOTIFY payload limit is 8000 bytes. */
const MAX_PAYLOAD_BYTES = 7999;

/** A message as mercurius and mqemitter see it. */
export interface PubSubMessage {
  topic: string;
  payload?: unknown;
}

/** A listener: call `done` when handled (mqemitter's contract; mercurius does). */
export type PubSubListener = (message: PubSubMessage, done: () => void) => void;

/** A mercurius-compatible emitter over LISTEN/NOTIFY, plus promise helpers. */
export interface PubSub {
  /** Subscribe `listener` to an exact topic; `cb` runs once the LISTEN connection is up. */
  on(topic: string, listener: PubSubListener, cb?: (err?: Error) => void): this;
  /** Publish through NOTIFY (every process's listeners, including this one's, receive it). */
  emit(message: PubSubMessage, cb?: (err?: Error) => void): this;
  removeListener(topic: string, listener: PubSubListener, cb?: () => void): this;
  close(cb?: () => void): void;
  /** emit as a promise. */
  publish(topic: string, payload: unknown): Promise<void>;
  /** Resolves once the listening connection is (re)established. */
  ready(): Promise<void>;
  /** Called after a reconnect: messages sent while disconnected are lost, so re-read state. */
  onReconnect(fn: () => void): () => void;
}

/** Options of createPubSub. */
export interface PubSubOptions {
  /** Errors of the listening connection (it reconnects by itself). */
  onError?: (err: Error) => void;
  /** Backoff bounds for reconnecting, ms (default 100 .. 5000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** A message as the NOTIFY payload text (throws PayloadTooLargeError over the limit). */
export function encodeMessage(message: PubSubMessage): string {
  const text = JSON.stringify({ topic: message.topic, payload: message.payload ?? null });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeError(bytes);
  return text;
}

/** Connects the listening client and returns the emitter. */
export async function createPubSub(databaseUrl: string, options: PubSubOptions = {}): Promise<PubSub> {
  const listeners = new Map<string, Set<PubSubListener>>();
  const reconnectHooks = new Set<() => void>();
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  let closed = false;
  let listener: pg.Client | null = null;
  let connecting: Promise<void>;
  let backoff = minBackoff;
  let retryTimer: NodeJS.Timeout | null = null;
  let wakeUp: (() => void) | null = null;
  // Publishing uses its own small pool: a connection in LISTEN mode must not also carry traffic
  // that could block behind a long transaction.
  const publisher = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  publisher.on('error', (err) => options.onError?.(err));

  const dispatch = (raw: string | undefined) => {
    if (!raw) return;
    let message: PubSubMessage;
    try {
      message = JSON.parse(raw) as PubSubMessage;
    } catch {
      return; // Not ours: someone else NOTIFYing on the channel.
    }
    for (const fn of [...(listeners.get(message.topic) ?? [])]) {
      try {
        fn(message, () => {});
      } catch (err) {
        options.onError?.(err as Error);
      }
    }
  };

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('notification', (n) => {
      if (n.channel === PUBSUB_CHANNEL) dispatch(n.payload);
    });
    client.on('error', (err) => {
      options.onError?.(err);
      lost(client);
    });
    client.on('end', () => lost(client));
    await client.connect();
    await client.query(`LISTEN ${PUBSUB_CHANNEL}`);
    if (closed) {
      await client.end().catch(() => {});
      return;
    }
    listener = client;
    backoff = minBackoff;
  };

  const lost = (client: pg.Client) => {
    if (listener !== client || closed) return;
    listener = null;
    client.end().catch(() => {});
    connecting = reconnect();
  };

  // Retries with exponential backoff until connected or closed; `ready()` waits on this.
  const reconnect = async (): Promise<void> => {
    while (!closed) {
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        retryTimer = setTimeout(resolve, backoff);
      });
      backoff = Math.min(maxBackoff, backoff * 2);
      if (closed) return;
      try {
        await connect();
        for (const fn of reconnectHooks) fn();
        return;
      } catch (err) {
        options.onError?.(err as Error);
      }
    }
  };

  connecting = connect();
  await connecting;

  const ps: PubSub = {
    on(topic, fn, cb) {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(fn);
      if (cb) connecting.then(() => cb(), cb);
      return ps;
    },
    emit(message, cb) {
      let text: string;
      try {
        text = encodeMessage(message);
      } catch (err) {
        if (cb) cb(err as Error);
        else options.onError?.(err as Error);
        return ps;
      }
      publisher.query('SELECT pg_notify($1, $2)', [PUBSUB_CHANNEL, text]).then(
        () => cb?.(),
        (err: Error) => (cb ? cb(err) : options.onError?.(err)),
      );
      return ps;
    },
    removeListener(topic, fn, cb) {
      const set = listeners.get(topic);
      set?.delete(fn);
      if (set && set.size === 0) listeners.delete(topic);
      cb?.();
      return ps;
    },
    close(cb) {
      if (closed) {
        cb?.();
        return;
      }
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      wakeUp?.();
      listeners.clear();
      const client = listener;
      listener = null;
      Promise.allSettled([client?.end(), publisher.end()]).then(() => cb?.());
    },
    publish(topic, payload) {
      return new Promise((resolve, reject) =>
        ps.emit({ topic, payload }, (err) => (err ? reject(err) : resolve())),
      );
    },
    ready: () => connecting,
    onReconnect(fn) {
      reconnectHooks.add(fn);
      return () => reconnectHooks.delete(fn);
    },
  };
  return ps;
}

/**
 * NOTIFYs a message through a Prisma client or transaction. Inside a transaction it is delivered
 * on commit, so subscribers never read rows older than the event.
 */
export async function notify(
  db: Prisma.TransactionClient | PrismaClient,
  topic: string,
  payload: unknown,
): Promise<void> {
  const text = encodeMessage({ topic, payload });
  await db.$executeRaw`SELECT pg_notify(${PUBSUB_CHANNEL}, ${text})`;
}

/** Publishes a run event on the run's topic (and on the lab's scoreboard topic when `scoreboard`). */
export async function notifyRun(
  db: Prisma.TransactionClient | PrismaClient,
  event: RunEvent,
  scoreboard = false,
): Promise<void> {
  await notify(db, runTopic(event.runId), event);
  if (scoreboard) await notify(db, scoreboardTopic(event.labId), event);
}

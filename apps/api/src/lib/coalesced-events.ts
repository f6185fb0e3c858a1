// A subscription's events straight from the pub/sub emitter, with the ones that wait merged: when an
// event arrives whose key already has an event waiting to be handed out, the new one is dropped.
// That is safe wherever the consumer re-reads the current rows for the key it is handed (the live
// scoreboard reads an enrollment's row): the waiting event is handled after the dropped one arrived,
// so its read includes the dropped one's change (NOTIFY is delivered after the commit). mercurius
// handles a subscription's events one at a time, so without this a burst (a run's checks finishing
// together, a class regraded at once) queues one row read and send per event, not per row.
import type { PubSub, PubSubMessage } from '@kubegrade/db';

/**
 * Listens on `topic` and yields its payloads with waiting duplicates (same `key`) merged, in the
 * order each key first arrived; payloads without a key are never merged. Resolves once the
 * listener is up, so nothing published after that is missed. `return()` removes the listener.
 */
export async function coalescedEvents<T>(
  emitter: PubSub,
  topic: string,
  key: (payload: T) => string | undefined,
): Promise<AsyncIterableIterator<T>> {
  const waiting: T[] = [];
  const waitingKeys = new Set<string>();
  let closed = false;
  let wake: (() => void) | null = null;
  const listener = (message: PubSubMessage, done: () => void) => {
    done();
    if (closed) return; // delivered after the subscription ended
    const payload = message.payload as T;
    const k = key(payload);
    if (k !== undefined) {
      if (waitingKeys.has(k)) return;
      waitingKeys.add(k);
    }
    waiting.push(payload);
    wake?.();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    emitter.removeListener(topic, listener);
    waiting.length = 0;
    waitingKeys.clear();
    wake?.();
  };
  await new Promise<void>((resolve, reject) =>
    emitter.on(topic, listener, (err) => (err ? reject(err) : resolve())),
  ).catch((err: unknown) => {
    close();
    throw err;
  });
  const ended = { done: true, value: undefined } as IteratorReturnResult<undefined>;
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (waiting.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (closed) return ended;
      const payload = waiting.shift() as T;
      const k = key(payload);
      if (k !== undefined) waitingKeys.delete(k);
      return { done: false, value: payload };
    },
    async return() {
      close();
      return ended;
    },
    async throw(err?: unknown) {
      close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

// The live scoreboard's event merging (src/lib/coalesced-events.ts) over a stand-in emitter: what a
// burst of events for the same rows comes out as while the consumer is still busy.
import { describe, expect, it } from 'vitest';
import type { PubSub, PubSubListener } from '@kubegrade/db';
import { coalescedEvents } from '../src/lib/coalesced-events.ts';

type Event = { enrollmentId?: string; n: number };

function emitter() {
  const listeners = new Map<string, Set<PubSubListener>>();
  const ps = {
    on(topic: string, fn: PubSubListener, cb?: (err?: Error) => void) {
      if (!listeners.has(topic)) listeners.set(topic, new Set());
      listeners.get(topic)!.add(fn);
      cb?.();
      return ps;
    },
    removeListener(topic: string, fn: PubSubListener) {
      listeners.get(topic)?.delete(fn);
      return ps;
    },
  };
  const emit = (topic: string, payload: Event) => {
    for (const fn of listeners.get(topic) ?? []) fn({ topic, payload }, () => {});
  };
  return { ps: ps as unknown as PubSub, emit, count: (topic: string) => listeners.get(topic)?.size ?? 0 };
}

const byEnrollment = (e: Event) => e.enrollmentId;

describe('coalescedEvents', () => {
  it('hands out one event per waiting enrollment, in the order each first arrived', async () => {
    const { ps, emit } = emitter();
    const events = await coalescedEvents<Event>(ps, 'board', byEnrollment);
    emit('board', { enrollmentId: 'a', n: 1 });
    emit('board', { enrollmentId: 'b', n: 2 });
    emit('board', { enrollmentId: 'a', n: 3 });
    emit('board', { enrollmentId: 'a', n: 4 });
    emit('other', { enrollmentId: 'c', n: 5 });
    expect((await events.next()).value).toEqual({ enrollmentId: 'a', n: 1 });
    // 'a' was handed out, so its next change is a new event; 'b' is still waiting once.
    emit('board', { enrollmentId: 'a', n: 6 });
    emit('board', { enrollmentId: 'b', n: 7 });
    expect((await events.next()).value).toEqual({ enrollmentId: 'b', n: 2 });
    expect((await events.next()).value).toEqual({ enrollmentId: 'a', n: 6 });
  });

  it('never merges events without a key, and waits for the next event', async () => {
    const { ps, emit } = emitter();
    const events = await coalescedEvents<Event>(ps, 'board', byEnrollment);
    emit('board', { n: 1 });
    emit('board', { n: 2 });
    expect((await events.next()).value).toEqual({ n: 1 });
    expect((await events.next()).value).toEqual({ n: 2 });
    const later = events.next();
    setTimeout(() => emit('board', { enrollmentId: 'a', n: 3 }), 20);
    expect((await later).value).toEqual({ enrollmentId: 'a', n: 3 });
  });

  it('ends a waiting next() and removes its listener on return(); later events are dropped', async () => {
    const { ps, emit, count } = emitter();
    const events = await coalescedEvents<Event>(ps, 'board', byEnrollment);
    expect(count('board')).toBe(1);
    const pending = events.next();
    await events.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(count('board')).toBe(0);
    emit('board', { enrollmentId: 'a', n: 1 });
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it('fails to subscribe when the listener cannot be set up', async () => {
    const ps = {
      on: (_t: string, _fn: PubSubListener, cb?: (err?: Error) => void) => cb?.(new Error('LISTEN failed')),
      removeListener: () => ps,
    } as unknown as PubSub;
    await expect(coalescedEvents<Event>(ps, 'board', byEnrollment)).rejects.toThrow('LISTEN failed');
  });
});

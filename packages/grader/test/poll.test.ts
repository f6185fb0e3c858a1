// poll(), the grader's one wait loop, on a fake clock: which tries happen, how long each pause is,
// and what it answers, for every way the callers use it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { poll, type PollOptions } from '../src/poll.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(0);
});
afterEach(() => vi.useRealTimers());

/** Runs poll with tries that each take `tryMs` and answer `answers[n]` (the last one repeats). */
async function run(answers: boolean[], o: Omit<PollOptions, 'pause'>, tryMs = 0) {
  const log: string[] = [];
  const r = await poll(
    async (n) => {
      log.push(`try ${n} at ${Date.now()}`);
      vi.setSystemTime(Date.now() + tryMs);
      return answers[Math.min(n, answers.length - 1)] ?? false;
    },
    (v) => v,
    {
      ...o,
      pause: async (ms) => {
        log.push(`pause ${ms}`);
        vi.setSystemTime(Date.now() + ms);
      },
    },
  );
  return { ...r, log };
}

describe('poll', () => {
  const table: {
    name: string;
    answers: boolean[];
    o: Omit<PollOptions, 'pause'>;
    tryMs?: number;
    done: boolean;
    log: string[];
  }[] = [
    {
      name: 'done at once: one try, no pause',
      answers: [true],
      o: { withinMs: 5000, everyMs: 1000 },
      done: true,
      log: ['try 0 at 0'],
    },
    {
      name: 'no budget (the live lab, multiplier 0): exactly one try',
      answers: [false],
      o: { withinMs: 0, everyMs: 0 },
      done: false,
      log: ['try 0 at 0'],
    },
    {
      name: 'done on the third try',
      answers: [false, false, true],
      o: { withinMs: 5000, everyMs: 1000 },
      done: true,
      log: ['try 0 at 0', 'pause 1000', 'try 1 at 1000', 'pause 1000', 'try 2 at 2000'],
    },
    {
      name: 'capped: the last pause ends at the deadline, one last try there',
      answers: [false],
      o: { withinMs: 2500, everyMs: 1000 },
      done: false,
      log: [
        'try 0 at 0',
        'pause 1000',
        'try 1 at 1000',
        'pause 1000',
        'try 2 at 2000',
        'pause 500',
        'try 3 at 2500',
      ],
    },
    {
      name: 'whole: pauses run their full length past the deadline, the try after is the last',
      answers: [false],
      o: { withinMs: 2500, everyMs: 1000, pauses: 'whole' },
      done: false,
      log: [
        'try 0 at 0',
        'pause 1000',
        'try 1 at 1000',
        'pause 1000',
        'try 2 at 2000',
        'pause 1000',
        'try 3 at 3000',
      ],
    },
    {
      name: 'no-late-try: no try once a pause reached the deadline',
      answers: [false],
      o: { withinMs: 2500, everyMs: 1000, pauses: 'no-late-try' },
      done: false,
      log: ['try 0 at 0', 'pause 1000', 'try 1 at 1000', 'pause 1000', 'try 2 at 2000', 'pause 500'],
    },
    {
      name: 'the budget counts the tries themselves (from the start)',
      answers: [false],
      o: { withinMs: 2500, everyMs: 1000 },
      tryMs: 1000,
      done: false,
      log: ['try 0 at 0', 'pause 1000', 'try 1 at 2000'],
    },
    {
      name: 'from the first answer: a slow first try does not eat the budget',
      answers: [false],
      o: { withinMs: 2500, everyMs: 1000, from: 'first-answer', pauses: 'whole' },
      tryMs: 1000,
      done: false,
      log: ['try 0 at 0', 'pause 1000', 'try 1 at 2000', 'pause 1000', 'try 2 at 4000'],
    },
  ];
  for (const t of table) {
    it(t.name, async () => {
      const r = await run(t.answers, t.o, t.tryMs);
      expect(r.log).toEqual(t.log);
      expect(r.done).toBe(t.done);
      expect(r.tries).toBe(t.log.filter((l) => l.startsWith('try')).length);
    });
  }

  it("an attempt's error and a pause cut short by the signal propagate", async () => {
    await expect(
      poll(
        () => Promise.reject(new Error('boom')),
        () => true,
        { withinMs: 1000, everyMs: 100 },
      ),
    ).rejects.toThrow('boom');
    const c = new AbortController();
    c.abort();
    await expect(
      poll(
        () => Promise.resolve(false),
        (v) => v,
        { withinMs: 1000, everyMs: 100, signal: c.signal },
      ),
    ).rejects.toThrow(/deadline passed or the run was cancelled/);
  });
});

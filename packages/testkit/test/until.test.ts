import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MULT, until } from '../src/index.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs `until` to its end on the fake clock. */
async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: string }> {
  const out = p.then(
    (value) => ({ value }),
    (err: Error) => ({ error: err.message }),
  );
  await vi.runAllTimersAsync();
  return out;
}

describe('until', () => {
  it('resolves with the first truthy value, probing once per interval', async () => {
    let calls = 0;
    const r = await settle(
      until('the third probe', () => (++calls >= 3 ? { n: calls } : null), {
        timeoutMs: 1000,
        intervalMs: 50,
      }),
    );
    expect(r).toEqual({ value: { n: 3 } });
    expect(calls).toBe(3);
  });

  it('resolves at once when the first probe holds', async () => {
    const probe = vi.fn(async () => 'yes');
    expect(await settle(until('yes', probe))).toEqual({ value: 'yes' });
    expect(probe).toHaveBeenCalledTimes(1);
  });

  // [probe result, what the error names as last]
  const lasts: [string, () => unknown, string][] = [
    ['false', () => false, 'false'],
    ['null', () => null, 'null'],
    ['undefined', () => undefined, 'undefined'],
    ['0', () => 0, '0'],
    ['an empty string', () => '', '""'],
    [
      'a thrown error',
      () => {
        throw new Error('not yet');
      },
      'not yet',
    ],
    ['a rejected promise', () => Promise.reject(new Error('refused')), 'refused'],
  ];
  it.each(lasts)('times out naming the last value when the probe gives %s', async (_name, probe, last) => {
    const r = await settle(until('the thing', probe, { timeoutMs: 500, intervalMs: 100 }));
    expect(r.error).toBe(`timed out after 500 ms waiting for the thing (last: ${last})`);
  });

  it('a probe that throws and then succeeds resolves', async () => {
    let calls = 0;
    const probe = () => {
      if (++calls < 2) throw new Error('not yet');
      return 42;
    };
    expect(await settle(until('42', probe, { timeoutMs: 1000 }))).toEqual({ value: 42 });
  });

  it('keeps probing until the deadline, not beyond it', async () => {
    const probe = vi.fn(() => false);
    const started = Date.now();
    await settle(until('never', probe, { timeoutMs: 1000, intervalMs: 100 }));
    // Probes at 0, 100, ..., 1000 and one past the deadline (1100) that decides the timeout.
    expect(probe.mock.calls.length).toBe(12);
    expect(Date.now() - started).toBe(1100);
  });

  it('defaults to 10 s and a 100 ms pause', async () => {
    const probe = vi.fn(() => false);
    const r = await settle(until('the default', probe));
    expect(r.error).toMatch(/^timed out after 10000 ms waiting for the default/);
    expect(probe.mock.calls.length).toBe(102);
  });
});

describe('MULT', () => {
  it('shrinks test deadlines to a quarter', () => {
    expect(MULT).toBe(0.25);
  });
});

// A container the runtime cannot start: the kubelet's CrashLoopBackOff (waiting reason, restart
// count, Failed/BackOff events) and its exponential back-off, without starving the event loop
// however fast start() fails.

import { describe, expect, it } from 'vitest';
import { crashLoopBackOff, goDuration } from '../src/controllers/pods.ts';
import { NullRuntime, startKubeSim, type KubeObject, type KubeSimOptions } from '../src/index.ts';
import { until } from './sim-helpers.ts';

type Cs = {
  restartCount: number;
  state: { waiting?: { reason: string; message?: string } };
  lastState: { terminated?: { message?: string } };
};
const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'r', namespace: 'shiqi' },
  spec: { containers: [{ name: 'redis', image: 'redis:7.4.4' }] },
};

/** A runtime whose start() fails: `mode` says how (an already-rejected promise, a synchronous throw, after a delay). */
class FailingRuntime extends NullRuntime {
  readonly startedAt: number[] = [];
  constructor(private readonly mode: 'rejected' | 'throws' | { afterMs: number }) {
    super();
  }
  override start(_pod: KubeObject): Promise<void> {
    this.startedAt.push(Date.now());
    const err = new Error("chown: changing ownership of '/data': Operation not permitted");
    if (this.mode === 'throws') throw err;
    if (this.mode === 'rejected') return Promise.reject(err);
    return new Promise((_r, reject) =>
      setTimeout(() => reject(err), (this.mode as { afterMs: number }).afterMs),
    );
  }
}

async function withSim(
  runtime: FailingRuntime,
  opts: KubeSimOptions,
  body: (sim: Awaited<ReturnType<typeof startKubeSim>>) => Promise<void>,
) {
  const sim = await startKubeSim({ runtime, ...opts });
  try {
    await body(sim);
  } finally {
    await sim.stop();
  }
}

const containerStatus = (sim: Awaited<ReturnType<typeof startKubeSim>>) =>
  (sim.view.get('pods', 'shiqi', 'r')?.status?.containerStatuses as Cs[] | undefined)?.[0];

describe('CrashLoopBackOff', { timeout: 30_000 }, () => {
  it('follows the kubelet: 10s, 20s, ... capped at 5m0s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => crashLoopBackOff(n, 10_000, 300_000))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ]);
    expect([10_000, 80_000, 160_000, 300_000, 100].map(goDuration)).toEqual([
      '10s',
      '1m20s',
      '2m40s',
      '5m0s',
      '100ms',
    ]);
  });

  for (const mode of ['rejected', 'throws', { afterMs: 20 }] as const) {
    const label = typeof mode === 'string' ? mode : `rejects after ${mode.afterMs} ms`;
    it(`start() ${label}: one attempt per back-off period (default 10 s), event loop stays free`, async () => {
      const rt = new FailingRuntime(mode);
      await withSim(rt, {}, async (sim) => {
        let ticks = 0;
        const tick = setInterval(() => ticks++, 10);
        try {
          await sim.apply(POD);
          const cs = await until('CrashLoopBackOff', () =>
            containerStatus(sim)?.state.waiting?.reason === 'CrashLoopBackOff'
              ? containerStatus(sim)
              : undefined,
          );
          expect(cs.restartCount).toBe(1);
          expect(cs.state.waiting?.message).toMatch(
            /^back-off 10s restarting failed container=redis pod=r_shiqi\(/,
          );
          expect(cs.lastState.terminated?.message).toMatch(/Operation not permitted/);
          await new Promise((r) => setTimeout(r, 1000));
          // Without the back-off this was thousands of attempts (or a frozen process).
          expect(rt.startedAt).toHaveLength(1);
          expect(ticks).toBeGreaterThan(30);
          expect(containerStatus(sim)?.restartCount).toBe(1);
          const events = sim.view.list('events', 'shiqi');
          expect(
            events.some(
              (e) =>
                e.reason === 'BackOff' &&
                /^Back-off restarting failed container redis in pod r_shiqi\(/.test(String(e.message)),
            ),
          ).toBe(true);
          expect(
            events.some((e) => e.reason === 'Failed' && /Operation not permitted/.test(String(e.message))),
          ).toBe(true);
        } finally {
          clearInterval(tick);
        }
      });
    });
  }

  it('backs off exponentially from crashLoopBackOffMs up to crashLoopBackOffMaxMs, counting restarts', async () => {
    const rt = new FailingRuntime('rejected');
    await withSim(rt, { crashLoopBackOffMs: 100, crashLoopBackOffMaxMs: 400 }, async (sim) => {
      await sim.apply(POD);
      await until('5 start attempts', () => (rt.startedAt.length >= 5 ? true : undefined), 10_000);
      const gaps = rt.startedAt.slice(1, 5).map((t, i) => t - rt.startedAt[i]!);
      // 100, 200, 400, 400 ms (timers fire no earlier than asked; allow slack for a loaded machine).
      for (const [i, want] of [100, 200, 400, 400].entries()) {
        expect(gaps[i]).toBeGreaterThanOrEqual(want - 5);
        expect(gaps[i]).toBeLessThan(want + 1000);
      }
      await until('restartCount 5', () => (containerStatus(sim)?.restartCount === 5 ? true : undefined));
      expect(containerStatus(sim)?.state.waiting?.message).toMatch(/^back-off 400ms restarting/);
    });
  });
});

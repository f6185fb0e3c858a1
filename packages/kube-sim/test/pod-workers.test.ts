// The kubelet syncs every pod in a worker of its own: one pod's slow stop (Redis saving a large
// dump on SIGTERM, a container using its whole grace period) holds up no other pod. And the work
// queue under it: different keys at once, one key never twice at once, none lost.
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../src/controllers/queue.ts';
import { NullRuntime, podIsReady, startKubeSim, type KubeObject } from '../src/index.ts';
import { until } from './sim-helpers.ts';

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shiqi' },
  spec: { containers: [{ name: 'redis', image: 'redis:7.4.4' }] },
});

/** Pods named slow-* take 5 s to stop, as a container ignoring SIGTERM until its grace period ends. */
class SlowStop extends NullRuntime {
  override async stop(p: KubeObject): Promise<void> {
    if (p.metadata.name.startsWith('slow-')) await new Promise((r) => setTimeout(r, 5000));
  }
}

describe('pod workers', { timeout: 30_000 }, () => {
  it("a pod taking 5 s to stop does not delay other pods' deletes and starts", async () => {
    const sim = await startKubeSim({ runtime: new SlowStop(), podReadyDelayMs: 10 });
    try {
      await sim.apply([pod('slow-0'), pod('quick-0')]);
      const ready = (name: string) => {
        const p = sim.view.get('pods', 'shiqi', name);
        return p !== undefined && podIsReady(p);
      };
      await until('both pods Ready', () => ready('slow-0') && ready('quick-0'));
      const del = (name: string) =>
        fetch(`${sim.url}/api/v1/namespaces/shiqi/pods/${name}`, {
          method: 'DELETE',
          headers: { Authorization: `Bearer ${sim.token}` },
        });
      expect((await del('slow-0')).status).toBe(200);
      expect((await del('quick-0')).status).toBe(200);
      await sim.apply(pod('new-0'));
      await until(
        'quick-0 gone and new-0 Ready',
        () => !sim.view.get('pods', 'shiqi', 'quick-0') && ready('new-0'),
      );
      // Meanwhile the slow one is still stopping; then it goes as well.
      expect(sim.view.get('pods', 'shiqi', 'slow-0')).toBeDefined();
      await until('slow-0 gone', () => !sim.view.get('pods', 'shiqi', 'slow-0'), 10_000);
    } finally {
      await sim.stop();
    }
  });
});

describe('WorkQueue', () => {
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    return { open, opened };
  };

  it('one worker syncs keys one at a time, in the order they were added', async () => {
    const seen: string[] = [];
    let running = 0;
    let most = 0;
    const q = new WorkQueue(
      'test',
      async (k) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(k);
        running--;
      },
      () => undefined,
    );
    for (const k of ['a', 'b', 'c', 'a']) q.add(k);
    await new Promise((r) => setImmediate(r));
    await q.whenIdle();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
  });

  it('several workers sync different keys at once, never one key twice at once, and lose no re-add', async () => {
    const [ga, gb] = [gate(), gate()];
    // Each key's first sync waits for its gate; later syncs do not.
    const gates = new Map([
      ['a', ga],
      ['b', gb],
    ]);
    const active = new Set<string>();
    const log: string[] = [];
    let overlap = false;
    const q = new WorkQueue(
      'test',
      async (k) => {
        if (active.has(k)) overlap = true;
        active.add(k);
        log.push(`start ${k}`);
        const g = gates.get(k);
        gates.delete(k);
        await g?.opened;
        log.push(`end ${k}`);
        active.delete(k);
      },
      () => undefined,
      4,
    );
    q.add('a');
    q.add('b');
    await until('a and b both running', () => active.size === 2);
    // Added while its sync runs: synced again afterwards, not alongside.
    q.add('a');
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['start a', 'start b']);
    expect(q.idle).toBe(false);
    gb.open();
    ga.open();
    await q.whenIdle();
    expect(overlap).toBe(false);
    expect(log.filter((l) => l === 'start a')).toHaveLength(2);
    expect(log.indexOf('start a', 1)).toBeGreaterThan(log.indexOf('end a'));
  });
});

// The runner's logic with primitives registered through the public registry (no cluster needed:
// these primitives never touch it).
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  grade,
  registerPrimitive,
  unregisterPrimitive,
  type GradeEvent,
  type Lab,
  type Outcome,
} from '../src/index.ts';

const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'none', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
  users: [{ name: 'u' }],
  contexts: [{ name: 'c', cluster: 'none', user: 'u' }],
  currentContext: 'c',
});

const calls: string[] = [];
const verdict = z.strictObject({
  status: z.enum(['pass', 'fail', 'skipped', 'error']).default('pass'),
  tag: z.string().default(''),
  delayMs: z.number().default(0),
  hang: z.boolean().default(false),
  throws: z.boolean().default(false),
});

beforeAll(() => {
  registerPrimitive({
    name: 'test-verdict',
    description: 'returns what it is told',
    params: verdict,
    defaultTimeoutSeconds: 0.5,
    async run(ctx, p): Promise<Outcome> {
      calls.push(`${ctx.namespace}:${ctx.check.id}${p.tag ? `:${p.tag}` : ''}`);
      if (p.throws) throw new Error('boom');
      if (p.hang) await new Promise(() => {});
      if (p.delayMs) await new Promise((r) => setTimeout(r, p.delayMs));
      return {
        status: p.status,
        message: `said ${p.status}`,
        hint: p.status === 'fail' ? 'data-lost' : null,
        evidence: {},
      };
    },
  });
});
afterAll(() => unregisterPrimitive('test-verdict'));

function lab(
  checks: {
    id: string;
    with?: Record<string, unknown>;
    needs?: string[];
    disruptive?: boolean;
    points?: number;
    timeoutSeconds?: number;
  }[],
): Lab {
  return {
    id: 'test-lab',
    version: '1',
    title: { zh: '测试', en: 'test' },
    params: { greeting: 'hello-{namespace}' },
    checks: checks.map((c) => ({
      id: c.id,
      uses: 'test-verdict',
      with: c.with ?? {},
      needs: c.needs ?? [],
      points: c.points ?? 10,
      disruptive: c.disruptive ?? false,
      title: { zh: c.id, en: c.id },
      ...(c.timeoutSeconds ? { timeoutSeconds: c.timeoutSeconds } : {}),
    })),
  };
}

describe('runner', () => {
  it('runs needs first and disruptive checks last, scores passes, and reports a clean pass', async () => {
    calls.length = 0;
    const events: GradeEvent[] = [];
    const r = await grade({
      lab: lab([
        { id: 'delete-pod', disruptive: true },
        { id: 'b', needs: ['a'] },
        { id: 'a', with: { tag: '{greeting}' } },
      ]),
      namespace: 'ns-order',
      kubeConfig: kc,
      onEvent: (e) => events.push(e),
    });
    expect(calls).toEqual(['ns-order:a:hello-ns-order', 'ns-order:b', 'ns-order:delete-pod']);
    expect(r.status).toBe('passed');
    expect(r.score).toBe(30);
    expect(r.maxScore).toBe(30);
    expect(
      events.map((e) =>
        e.type === 'check-started' ? `start ${e.checkId}` : `end ${e.result.id} ${e.result.status}`,
      ),
    ).toEqual(['start a', 'end a pass', 'start b', 'end b pass', 'start delete-pod', 'end delete-pod pass']);
  });

  it('skips a check whose need did not pass, with the reason, but runs unrelated checks', async () => {
    const r = await grade({
      lab: lab([{ id: 'a', with: { status: 'fail' } }, { id: 'b', needs: ['a'] }, { id: 'c' }]),
      namespace: 'ns-needs',
      kubeConfig: kc,
    });
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by.a?.status).toBe('fail');
    expect(by.a?.hint?.key).toBe('data-lost');
    expect(by.b?.status).toBe('skipped');
    expect(by.b?.message).toMatch(/needs a \(fail\)/);
    expect(by.c?.status).toBe('pass');
    expect(r.status).toBe('failed');
    expect(r.score).toBe(10);
  });

  it('turns a hung check into error at its deadline and a throwing one into error, without stopping the run', async () => {
    const r = await grade({
      lab: lab([
        { id: 'hangs', with: { hang: true } },
        { id: 'throws', with: { throws: true } },
        { id: 'fine' },
      ]),
      namespace: 'ns-deadline',
      kubeConfig: kc,
      timeMultiplier: 0.2,
    });
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by.hangs?.status).toBe('error');
    expect(by.hangs?.message).toMatch(/deadline/);
    expect(by.throws?.status).toBe('error');
    expect(by.throws?.message).toMatch(/boom/);
    expect(by.fine?.status).toBe('pass');
    expect(r.status).toBe('error');
    expect(by.hangs?.points).toBe(0);
  });

  it('skips disruptive checks in non-disruptive mode with that reason', async () => {
    const r = await grade({
      lab: lab([{ id: 'a' }, { id: 'del', disruptive: true }]),
      namespace: 'ns-nd',
      kubeConfig: kc,
      disruptive: false,
    });
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['a', 'pass'],
      ['del', 'skipped'],
    ]);
    expect(r.checks[1]?.message).toMatch(/non-disruptive/);
    expect(r.status).toBe('failed');
  });

  it('runs only the asked checks plus what they need', async () => {
    calls.length = 0;
    const r = await grade({
      lab: lab([{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c' }]),
      namespace: 'ns-only',
      kubeConfig: kc,
      only: ['b'],
    });
    expect(r.checks.map((c) => c.id)).toEqual(['a', 'b']);
    expect(r.maxScore).toBe(20);
    await expect(
      grade({ lab: lab([{ id: 'a' }]), namespace: 'ns-only', kubeConfig: kc, only: ['zz'] }),
    ).rejects.toThrow(/unknown check id/);
  });

  it('stops on cancellation: the running and remaining checks are errors, never passes', async () => {
    const controller = new AbortController();
    const p = grade({
      lab: lab([{ id: 'slow', with: { delayMs: 5000 }, timeoutSeconds: 30 }, { id: 'next' }]),
      namespace: 'ns-cancel',
      kubeConfig: kc,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const r = await p;
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['slow', 'error'],
      ['next', 'error'],
    ]);
    expect(r.checks[0]?.message).toMatch(/cancelled/);
    expect(r.status).toBe('error');
  });

  it('runs at most one run per namespace at a time, and different namespaces concurrently', async () => {
    calls.length = 0;
    const slow = lab([
      { id: 'x', with: { delayMs: 200, tag: 'first' } },
      { id: 'y', with: { tag: 'first' } },
    ]);
    const fast = lab([
      { id: 'x', with: { tag: 'second' } },
      { id: 'y', with: { tag: 'second' } },
    ]);
    const other = lab([{ id: 'x', with: { tag: 'other' } }]);
    await Promise.all([
      grade({ lab: slow, namespace: 'ns-lock', kubeConfig: kc }),
      grade({ lab: fast, namespace: 'ns-lock', kubeConfig: kc }),
      grade({ lab: other, namespace: 'ns-lock-other', kubeConfig: kc }),
    ]);
    const same = calls.filter((c) => c.startsWith('ns-lock:'));
    expect(same).toEqual(['ns-lock:x:first', 'ns-lock:y:first', 'ns-lock:x:second', 'ns-lock:y:second']);
    // The other namespace did not wait for the slow run.
    expect(calls.indexOf('ns-lock-other:x:other')).toBeLessThan(calls.indexOf('ns-lock:y:first'));
  });

  it('stops at the run deadline: what is left is error, never a pass', async () => {
    const r = await grade({
      // Wide margins (a ends 0.9 s before the run's deadline, b would end 1.1 s after it; b's own
      // timeout is far away): a loaded machine's late timers must not decide the outcome.
      lab: lab([
        { id: 'a', with: { delayMs: 100 } },
        { id: 'b', with: { delayMs: 2100 }, timeoutSeconds: 30 },
        { id: 'c' },
      ]),
      namespace: 'ns-run-deadline',
      kubeConfig: kc,
      runTimeoutMs: 1000,
    });
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['a', 'pass'],
      ['b', 'error'],
      ['c', 'error'],
    ]);
    expect(r.checks[2]?.message).toMatch(/run's deadline/);
  });

  it('fails a check whose parameters do not validate as error, naming the problem', async () => {
    const r = await grade({
      lab: lab([{ id: 'a', with: { status: 'maybe' } }]),
      namespace: 'ns-params',
      kubeConfig: kc,
    });
    expect(r.checks[0]?.status).toBe('error');
    expect(r.checks[0]?.message).toMatch(/invalid parameters for a: status/);
  });

  it('cuts every string a check brings back from the cluster (a 5 MB Redis value) and says so', async () => {
    const value = 'v'.repeat(5 * 1024 * 1024);
    const key = `k${'e'.repeat(300_000)}`;
    registerPrimitive({
      name: 'test-huge',
      description: 'returns a 5 MB value three times, as a Redis check once did',
      params: z.strictObject({}),
      defaultTimeoutSeconds: 5,
      async run(): Promise<Outcome> {
        return {
          status: 'fail',
          message: `testkey holds ${value}`,
          evidence: {
            expected: 'hello',
            found: value,
            keys: { [key]: value },
            list: Array.from({ length: 10_000 }, (_, i) => `item-${i}`),
          },
        };
      },
    });
    try {
      const events: GradeEvent[] = [];
      const r = await grade({
        lab: { ...lab([]), checks: [{ ...lab([{ id: 'huge' }]).checks[0]!, uses: 'test-huge' }] },
        namespace: 'ns-huge',
        kubeConfig: kc,
        onEvent: (e) => events.push(e),
      });
      const c = r.checks[0]!;
      const finished = events.find((e) => e.type === 'check-finished');
      const found = c.evidence.found as string;
      expect({
        status: c.status,
        bytes: JSON.stringify(c).length < 64 * 1024,
        messageSays: /\[cut: 5242894 characters in all, the first 2000 shown\]$/.test(c.message),
        foundSays: found.startsWith('vvvv') && /\[cut: 5242880 characters in all/.test(found),
        expected: c.evidence.expected,
        keyCut: Object.keys(c.evidence.keys as object).every((k) => k.length < 300),
        list: (c.evidence.list as string[]).length,
        listSays: (c.evidence.list as string[]).at(-1),
        eventIsCut: finished?.type === 'check-finished' && JSON.stringify(finished.result).length < 64 * 1024,
      }).toEqual({
        status: 'fail',
        bytes: true,
        messageSays: true,
        foundSays: true,
        expected: 'hello',
        keyCut: true,
        list: 101,
        listSays: '[cut: 9900 more of 10000 items]',
        eventIsCut: true,
      });
    } finally {
      unregisterPrimitive('test-huge');
    }
  });
});

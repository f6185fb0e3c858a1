// What one disruptive grading run of a correct namespace asks of the API server, with a
// replacement pod that takes 3 s to come (as a real kubelet's takes seconds): each DNS name is
// asked once inside the pod, and the wait for the replacement is one watch, not a list every second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MULT, until } from '@kubegrade/testkit';
import { grade, loadLabById } from '../../src/index.ts';
import { execInPod } from '../../src/kube/exec.ts';
import { ALL_PASS_B, STS_B } from '../scenarios/index.ts';
import { applyTarget, generateClass, loadClass } from './kube-sim.ts';
import { podsReady, startSim, verdicts, type SimEnv } from './helpers.ts';

const NS = 'req-correct';
let env: SimEnv;
let counting = false;
const requests: string[] = [];

beforeAll(async () => {
  env = await startSim({
    onRequest: (r) => {
      if (counting && r.namespace === NS)
        requests.push(`${r.verb} ${r.resource}${'subresource' in r ? `/${String(r.subresource)}` : ''}`);
    },
  });
  await loadClass(
    applyTarget(env.sim),
    generateClass({ students: 1, lab: 'redis-exist-pvc', namespaces: [NS], mistakes: [null] }),
  );
  await until('the Redis pod Ready', () => podsReady(env.sim, NS, STS_B), { timeoutMs: 30_000 });
});
afterAll(async () => {
  await env?.stop();
});

describe('API requests of one grading run', () => {
  const gradeCounted = async () => {
    requests.length = 0;
    counting = true;
    const r = await grade({
      lab: loadLabById('redis-exist-pvc'),
      namespace: NS,
      kubeConfig: env.kc,
      timeMultiplier: MULT,
      disruptive: true,
    });
    counting = false;
    expect(verdicts(r)).toEqual(ALL_PASS_B);
    return (what: string) => requests.filter((q) => q === what).length;
  };

  it('a correct namespace, pod re-created after 3 s: two DNS lookups, two redis-cli calls, one pod watch', async () => {
    env.sim.faults.set({ recreateDelayMs: 3000 });
    const count = await gradeCounted();
    // The Service's name and the pod's name, each asked once (the tool probe's answer counts); one
    // redis-cli before the delete (SET, SAVE, GET) and one after (GET, DEL, GET), commands on stdin.
    expect(count('create pods/exec')).toBe(2 + 2);
    expect(count('watch pods')).toBe(1);
    expect(count('delete pods')).toBe(1);
    expect(requests.length).toBeLessThanOrEqual(16);
  });

  it('an API server older than 1.30 (exec cannot close stdin): one redis-cli per command, same verdicts', async () => {
    env.sim.faults.set({ recreateDelayMs: 1000, execWithoutV5: true });
    try {
      const count = await gradeCounted();
      // The first stdin exec is refused on sight; the run then sends each of the six commands alone.
      expect(count('create pods/exec')).toBe(2 + 1 + 6);
    } finally {
      env.sim.faults.set({ execWithoutV5: false });
    }
  });

  it("a student's key redis-cli must unquote from its stdin is read as it is, before and after", async () => {
    // Quotes, a backslash, a space, Chinese and a newline: the line goes to the real redis-cli.
    const studentKey = '我的 "key"\\\n';
    const value = 'value with "quotes"\nand a second line';
    const set = await execInPod(env.kc, {
      namespace: NS,
      pod: `${STS_B}-0`,
      container: 'redis',
      command: ['redis-cli', 'SET', studentKey, value],
      timeoutMs: 20_000,
    });
    expect(set).toMatchObject({ kind: 'exited', stdout: 'OK\n' });
    const lab = loadLabById('redis-exist-pvc');
    const r = await grade({
      lab: {
        ...lab,
        checks: lab.checks.map((c) =>
          c.id === 'redis-persistence' ? { ...c, with: { ...c.with, studentKey } } : c,
        ),
      },
      namespace: NS,
      kubeConfig: env.kc,
      timeMultiplier: MULT,
      disruptive: true,
    });
    const persistence = r.checks.find((c) => c.id === 'redis-persistence');
    expect(persistence?.status).toBe('pass');
    expect(persistence?.evidence).toMatchObject({
      studentKeyBefore: { key: studentKey, value },
      studentKeyAfter: { key: studentKey, value },
      cleanup: '1',
    });
  });
});
